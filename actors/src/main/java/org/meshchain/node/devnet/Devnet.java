package org.meshchain.node.devnet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.crypto.KeystoreException;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.node.BlockExecutorFactory;
import org.meshchain.node.Node;
import org.meshchain.node.NodeOptions;
import org.meshchain.node.genesis.Genesis;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.tls.TlsCertificates;

/**
 * A local network of validators in one JVM: one ActorSystem per validator on loopback, forming one
 * Pekko cluster (DESIGN 8: {@code meshchain devnet}). The directory holds everything needed to resume:
 * the genesis file, each validator's keystore (passphrase {@value #PASSPHRASE}: a devnet key is not a
 * secret), its {@code node.conf} (usable with {@code meshchain node --config}) and data, and the demo
 * accounts' keystores. Created on first use; reused as-is afterwards.
 */
public final class Devnet implements AutoCloseable {

    public static final String PASSPHRASE = "devnet";
    public static final String CHAIN_ID = "meshchain-devnet";
    public static final long DEMO_BALANCE = 1_000_000_000_000L;
    /** Cheap KDF parameters: devnet keystores are opened at every start. */
    private static final Keystore.Argon2Params DEVNET_KDF = new Keystore.Argon2Params(8 * 1024, 1, 1);

    /** Layout and ports of a devnet. */
    public record Layout(Path directory, int validators, int demoAccounts, String host, int basePort) {
        public Path validatorDir(int i) {
            return directory.resolve("validator-" + i);
        }

        public Path genesisFile() {
            return directory.resolve("genesis.json");
        }

        public Path demoKey(int i) {
            return directory.resolve("accounts").resolve("demo-" + i + ".key");
        }

        public int port(int i) {
            return basePort + i;
        }
    }

    private final Layout layout;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Ed25519PrivateKey> validatorKeys;
    private final List<Ed25519PrivateKey> demoKeys;
    private final Genesis genesis;

    private Devnet(Layout layout, List<Ed25519PrivateKey> validatorKeys, List<Ed25519PrivateKey> demoKeys, Genesis genesis) {
        this.layout = layout;
        this.validatorKeys = validatorKeys;
        this.demoKeys = demoKeys;
        this.genesis = genesis;
    }

    /** Creates the directory's genesis, keys and configs if missing (else reads them); starts nothing. */
    public static Devnet prepare(Layout layout, IntFunction<String> extraNodeConfig) throws IOException {
        return prepare(layout, extraNodeConfig, false);
    }

    /**
     * As {@link #prepare(Layout, IntFunction)}; with {@code tls}, validators talk over mutual TLS with
     * certificates generated (first time) in {@code DIR/tls} by {@link TlsCertificates}.
     */
    public static Devnet prepare(Layout layout, IntFunction<String> extraNodeConfig, boolean tls) throws IOException {
        Files.createDirectories(layout.directory().resolve("accounts"));
        Path tlsDir = layout.directory().resolve("tls");
        if (tls && !Files.exists(tlsDir.resolve(TlsCertificates.TRUST_STORE))) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < layout.validators(); i++) {
                names.add("validator-" + i);
            }
            TlsCertificates.generate(tlsDir, names);
        }
        List<Ed25519PrivateKey> validatorKeys = new ArrayList<>();
        for (int i = 0; i < layout.validators(); i++) {
            Files.createDirectories(layout.validatorDir(i));
            validatorKeys.add(loadOrCreateKey(layout.validatorDir(i).resolve("validator.key")));
        }
        List<Ed25519PrivateKey> demoKeys = new ArrayList<>();
        for (int i = 0; i < layout.demoAccounts(); i++) {
            demoKeys.add(loadOrCreateKey(layout.demoKey(i)));
        }
        Genesis genesis;
        if (Files.exists(layout.genesisFile())) {
            genesis = Genesis.read(layout.genesisFile());
            if (genesis.validatorKeys().size() != layout.validators()) {
                throw new IllegalArgumentException("the devnet in " + layout.directory() + " has "
                        + genesis.validatorKeys().size() + " validators, not " + layout.validators());
            }
        } else {
            List<Ed25519PublicKey> keys = validatorKeys.stream().map(Ed25519PrivateKey::publicKey).toList();
            Map<Address, Long> accounts = new TreeMap<>();
            for (Ed25519PrivateKey demo : demoKeys) {
                accounts.put(Address.of(demo.publicKey()), DEMO_BALANCE);
            }
            genesis = new Genesis(new ChainId(CHAIN_ID), System.currentTimeMillis(), keys, accounts);
            genesis.write(layout.genesisFile());
        }
        for (int i = 0; i < layout.validators(); i++) {
            String extra = extraNodeConfig == null ? null : extraNodeConfig.apply(i);
            if (tls) {
                Path dir = tlsDir.toAbsolutePath();
                extra = (extra == null ? "" : extra + "\n") + "meshchain.node.tls {\n  enabled = on\n"
                        + "  key-store = \"" + dir.resolve("validator-" + i + ".p12") + "\"\n"
                        + "  trust-store = \"" + dir.resolve(TlsCertificates.TRUST_STORE) + "\"\n"
                        + "  password-file = \"" + dir.resolve(TlsCertificates.PASSWORD_FILE) + "\"\n}";
            }
            Files.writeString(layout.validatorDir(i).resolve("node.conf"), nodeConfig(layout, validatorKeys, i, extra),
                    StandardCharsets.UTF_8);
            Files.writeString(layout.validatorDir(i).resolve("passphrase"), PASSPHRASE, StandardCharsets.UTF_8);
        }
        return new Devnet(layout, validatorKeys, demoKeys, genesis);
    }

    static String nodeConfig(Layout layout, List<Ed25519PrivateKey> keys, int i, String extra) {
        Path dir = layout.validatorDir(i).toAbsolutePath();
        StringBuilder peers = new StringBuilder();
        StringBuilder seeds = new StringBuilder();
        for (int j = 0; j < keys.size(); j++) {
            seeds.append(j == 0 ? "" : ", ").append('"').append(layout.host()).append(':').append(layout.port(j)).append('"');
            if (j != i) {
                peers.append("      {validator = \"").append(Address.of(keys.get(j).publicKey()).toHex())
                        .append("\", host = \"").append(layout.host()).append("\", port = ").append(layout.port(j)).append("}\n");
            }
        }
        return "# Written by `meshchain devnet`: validator " + i + " of " + keys.size() + ".\n"
                + "meshchain.node {\n"
                + "  data-dir = \"" + dir.resolve("data") + "\"\n"
                + "  key-file = \"" + dir.resolve("validator.key") + "\"\n"
                + "  passphrase-file = \"" + dir.resolve("passphrase") + "\"\n"
                + "  genesis-file = \"" + layout.genesisFile().toAbsolutePath() + "\"\n"
                + "  cluster {\n"
                + "    host = \"" + layout.host() + "\"\n"
                + "    port = " + layout.port(i) + "\n"
                + "    seed-nodes = [" + seeds + "]\n"
                + "    peers = [\n" + peers + "    ]\n"
                + "  }\n"
                + "}\n"
                + (extra == null ? "" : extra + "\n");
    }

    private static Ed25519PrivateKey loadOrCreateKey(Path file) throws IOException {
        if (Files.exists(file)) {
            try {
                return Keystore.decrypt(Files.readAllBytes(file), PASSPHRASE.toCharArray());
            } catch (KeystoreException e) {
                throw new IOException("devnet keystore " + file + " does not open with the devnet passphrase: " + e.getMessage(), e);
            }
        }
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, Keystore.encrypt(key, PASSPHRASE.toCharArray(), new SecureRandom(), DEVNET_KDF));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return key;
    }

    public Config config(int i) {
        return ConfigFactory.parseFile(layout.validatorDir(i).resolve("node.conf").toFile())
                .withFallback(ConfigFactory.defaultReference()).resolve();
    }

    /** Starts validator {@code i} (again, after {@link #stop}); its options come from {@code options}. */
    public Node start(int i, NodeOptions options) {
        Node node = Node.start(config(i), options.withKey(validatorKeys.get(i)));
        while (nodes.size() <= i) {
            nodes.add(null);
        }
        nodes.set(i, node);
        return node;
    }

    /** Starts every validator; if one fails to start, the ones started are stopped again. */
    public void startAll(BlockExecutorFactory executors, IntFunction<List<NodeExtension>> extensions, InboundInspector inspector) {
        try {
            for (int i = 0; i < layout.validators(); i++) {
                start(i, new NodeOptions(executors, extensions.apply(i), null, inspector));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public void stop(int i) {
        Node node = nodes.get(i);
        if (node != null) {
            node.stop();
            nodes.set(i, null);
        }
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    public List<Node> running() {
        return nodes.stream().filter(n -> n != null).toList();
    }

    public Layout layout() {
        return layout;
    }

    public Genesis genesis() {
        return genesis;
    }

    public List<Ed25519PrivateKey> demoKeys() {
        return demoKeys;
    }

    public List<Ed25519PrivateKey> validatorKeys() {
        return validatorKeys;
    }

    /** Stops every running validator, all at once (each through CoordinatedShutdown). */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (node != null) {
                nodes.set(i, null);
                Thread t = new Thread(node::stop, "devnet-stop-" + i);
                t.start();
                stopping.add(t);
            }
        }
        for (Thread t : stopping) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
