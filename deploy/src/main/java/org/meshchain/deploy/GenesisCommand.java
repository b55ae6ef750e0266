package org.meshchain.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.crypto.KeystoreException;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.node.genesis.Genesis;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshchain genesis create}: a genesis file from the validators' keystores (public part only) and funded accounts. */
@Command(
        name = "genesis",
        mixinStandardHelpOptions = true,
        description = "Create and inspect genesis files.",
        subcommands = {GenesisCommand.Create.class, GenesisCommand.Show.class})
public final class GenesisCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Write a genesis file: chain id, genesis time, validators (from keystore files; no passphrase "
                    + "needed, only the public key is read) and funded accounts.")
    static final class Create extends CliSubcommand {
        @Option(names = "--chain-id", required = true, description = "Chain id: 1..32 of [a-z0-9-].")
        String chainId;

        @Option(names = "--validator-key", required = true, paramLabel = "FILE",
                description = "A validator's keystore (repeat for each validator).")
        List<Path> validatorKeys;

        @Option(names = "--account", paramLabel = "ADDRESS=BALANCE", description = "A funded account (repeatable).")
        List<String> accounts = new ArrayList<>();

        @Option(names = "--account-key", paramLabel = "FILE=BALANCE",
                description = "A funded account given by its keystore (repeatable).")
        List<String> accountKeys = new ArrayList<>();

        @Option(names = "--genesis-time-ms", description = "Genesis time, ms since the epoch (default: now).")
        Long genesisTimeMs;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Where to write the genesis file.")
        Path out;

        @Option(names = "--force", description = "Overwrite an existing file.")
        boolean force;

        @Override
        void execute(PrintWriter stdout) throws CommandFailure {
            if (Files.exists(out) && !force) {
                throw new CommandFailure(out + " exists (use --force to overwrite)");
            }
            List<Ed25519PublicKey> keys = new ArrayList<>();
            for (Path file : validatorKeys) {
                keys.add(publicKey(file));
            }
            Map<Address, Long> funded = new TreeMap<>();
            for (String account : accounts) {
                String[] parts = split(account, "--account");
                Address address;
                try {
                    address = Address.fromHex(parts[0]);
                } catch (RuntimeException e) {
                    throw new CommandFailure("--account " + account + ": the address must be 64 hex digits");
                }
                put(funded, address, balance(parts[1], "--account " + account), "--account " + account);
            }
            for (String accountKey : accountKeys) {
                String[] parts = split(accountKey, "--account-key");
                put(funded, Address.of(publicKey(Path.of(parts[0]))), balance(parts[1], "--account-key " + accountKey),
                        "--account-key " + accountKey);
            }
            Genesis genesis;
            try {
                genesis = new Genesis(new ChainId(chainId), genesisTimeMs == null ? System.currentTimeMillis() : genesisTimeMs,
                        keys, funded);
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(e.getMessage());
            }
            try {
                genesis.write(out);
            } catch (IOException e) {
                throw new CommandFailure("cannot write " + out + ": " + e.getMessage());
            }
            stdout.println("genesis written to " + out + ": chain " + genesis.chainId() + ", " + keys.size()
                    + " validators, " + funded.size() + " funded accounts, genesis block " + genesis.block().id());
        }

        private static String[] split(String value, String option) throws CommandFailure {
            int eq = value.lastIndexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                throw new CommandFailure(option + " " + value + ": expected X=BALANCE");
            }
            return new String[] {value.substring(0, eq), value.substring(eq + 1)};
        }

        private static long balance(String text, String what) throws CommandFailure {
            try {
                long balance = Long.parseLong(text);
                if (balance < 0) {
                    throw new NumberFormatException();
                }
                return balance;
            } catch (NumberFormatException e) {
                throw new CommandFailure(what + ": the balance must be an integer in 0..2^63-1");
            }
        }

        private static void put(Map<Address, Long> funded, Address address, long balance, String what) throws CommandFailure {
            if (funded.put(address, balance) != null) {
                throw new CommandFailure(what + ": account " + address + " is funded twice");
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Validate a genesis file and print its block id and state root.")
    static final class Show extends CliSubcommand {
        @CommandLine.Parameters(paramLabel = "FILE")
        Path file;

        @Override
        void execute(PrintWriter out) throws CommandFailure {
            try {
                Genesis genesis = Genesis.read(file);
                out.println("chain id:      " + genesis.chainId());
                out.println("validators:    " + genesis.validatorKeys().size());
                out.println("accounts:      " + genesis.accounts().size());
                out.println("genesis block: " + genesis.block().id());
                out.println("state root:    " + genesis.stateRoot());
            } catch (Genesis.GenesisException e) {
                throw new CommandFailure(e.getMessage());
            }
        }
    }

    static Ed25519PublicKey publicKey(Path keystore) throws CliSubcommand.CommandFailure {
        try {
            if (Files.size(keystore) > Keystore.MAX_FILE_BYTES) {
                throw new CliSubcommand.CommandFailure(keystore + " is not a keystore (too large)");
            }
            return Keystore.readHeader(Files.readAllBytes(keystore)).publicKey();
        } catch (IOException e) {
            throw new CliSubcommand.CommandFailure("cannot read " + keystore + ": " + e.getMessage());
        } catch (KeystoreException e) {
            throw new CliSubcommand.CommandFailure(keystore + " is not a keystore: " + e.getMessage());
        }
    }
}
