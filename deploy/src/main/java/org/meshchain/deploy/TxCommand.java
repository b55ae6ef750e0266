package org.meshchain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.crypto.KeystoreException;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.ProtocolLimits;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshchain tx transfer|deploy|call}: builds a transaction, signs it with a keystore key
 * ({@code meshchain keys generate}), submits it to a node's HTTP API, prints its hash and, with
 * {@code --wait}, waits for its receipt. Chain id, nonce and expiry come from the node unless given.
 */
@Command(name = "tx", mixinStandardHelpOptions = true,
        description = "Build, sign and submit transactions to a node's HTTP API.",
        subcommands = {TxCommand.Transfer.class, TxCommand.Deploy.class, TxCommand.Call.class})
public final class TxCommand implements Runnable {

    private static final ProtocolLimits LIMITS = ProtocolLimits.DEFAULT;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final KeysCommand.Terminal terminal;

    public TxCommand() {
        this(KeysCommand.SYSTEM);
    }

    TxCommand(KeysCommand.Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What every tx subcommand shares: key, node, fee, nonce, expiry, waiting. */
    abstract static class Submit extends CliSubcommand {
        @CommandLine.ParentCommand
        TxCommand parent;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Keystore of the sender (meshchain keys generate).")
        Path keyFile;

        @CommandLine.Mixin
        KeysCommand.PassphraseSource passphraseSource;

        @Option(names = "--api", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "The node's API base URL (default: ${DEFAULT-VALUE}).")
        String api;

        @Option(names = "--fee", paramLabel = "N", defaultValue = "1", description = "Fee (default: ${DEFAULT-VALUE}).")
        long fee;

        @Option(names = "--nonce", paramLabel = "N", description = "Nonce (default: the sender's next nonce, from the node).")
        Long nonce;

        @Option(names = "--chain-id", paramLabel = "ID", description = "Chain id (default: the node's).")
        String chainId;

        @Option(names = "--ttl-blocks", paramLabel = "N", defaultValue = "100",
                description = "Expire this many blocks after the node's committed height (default: ${DEFAULT-VALUE}).")
        long ttlBlocks;

        @Option(names = "--expiry-height", paramLabel = "H", description = "Absolute expiry height (instead of --ttl-blocks).")
        Long expiryHeight;

        @Option(names = "--wait", description = "Wait until the transaction is committed and print its receipt.")
        boolean waitForReceipt;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Seconds to wait for the node, and with --wait for the commit (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        abstract Payload payload() throws CommandFailure;

        @Override
        final void execute(PrintWriter out) throws CommandFailure {
            requireRange("--fee", fee, 0, Long.MAX_VALUE);
            requireRange("--ttl-blocks", ttlBlocks, 1, 1_000_000_000L);
            requireRange("--timeout", timeoutSeconds, 1, 86_400);
            if (nonce != null) {
                requireRange("--nonce", nonce, 0, Long.MAX_VALUE);
            }
            if (expiryHeight != null) {
                requireRange("--expiry-height", expiryHeight, 0, Long.MAX_VALUE);
            }
            Payload payload = payload();
            NodeApiClient client = new NodeApiClient(api, Duration.ofSeconds(timeoutSeconds));
            byte[] keystore = readKeystore(keyFile);
            JsonNode status = client.expectOk(client.get("v1/status"), "reading the node's status");
            ChainId chain = chain(chainId != null ? chainId : status.path("chainId").asText());
            long height = status.path("committedHeight").asLong();
            long expiry = expiryHeight != null ? expiryHeight : Math.max(0, height) + ttlBlocks;

            SignedTransaction tx;
            char[] passphrase = passphraseSource.read(parent.terminal, false);
            try (Ed25519PrivateKey key = Keystore.decrypt(keystore, passphrase)) {
                Address sender = Address.of(key.publicKey());
                long txNonce = nonce != null ? nonce
                        : client.expectOk(client.get("v1/accounts/" + sender.toHex()), "reading the sender's nonce")
                                .path("nextNonce").asLong();
                try {
                    tx = SignedTransaction.sign(new TransactionBody(chain, sender, txNonce, fee, expiry, payload), key);
                } catch (IllegalArgumentException e) {
                    throw new CommandFailure(e.getMessage());
                }
            } catch (KeystoreException e) {
                throw new CommandFailure(keyFile + ": " + e.getMessage());
            } finally {
                Arrays.fill(passphrase, '\0');
            }
            byte[] canonical = DomainCodecs.encode(tx);
            if (canonical.length > LIMITS.maxTransactionBytes()) {
                throw new CommandFailure("the transaction is " + canonical.length + " bytes; the limit is " + LIMITS.maxTransactionBytes());
            }
            NodeApiClient.Answer answer = client.postJson("v1/transactions",
                    "{\"hex\":\"" + HexFormat.of().formatHex(canonical) + "\"}");
            if (!answer.ok()) {
                throw new CommandFailure("rejected by the node (HTTP " + answer.status() + "): " + answer.error());
            }
            Hash32 hash = tx.id();
            out.println("hash      " + hash.toHex());
            out.println("sender    " + tx.body().sender().toHex());
            out.println("nonce     " + tx.body().nonce());
            if (!waitForReceipt) {
                out.println("status    pending");
                return;
            }
            out.flush();
            awaitCommit(client, hash, out);
        }

        private void awaitCommit(NodeApiClient client, Hash32 hash, PrintWriter out) throws CommandFailure {
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            while (true) {
                NodeApiClient.Answer answer = client.get("v1/transactions/" + hash.toHex());
                if (answer.ok()) {
                    String state = answer.body().path("status").asText();
                    if (state.equals("committed")) {
                        JsonNode r = answer.body();
                        out.println("status    committed");
                        out.println("height    " + r.path("height").asLong());
                        out.println("position  " + r.path("position").asInt());
                        out.println("block     " + r.path("blockId").asText());
                        printReceipt(out, r.path("receipt"));
                        return;
                    }
                    if (state.equals("expired")) {
                        throw new CommandFailure("transaction " + hash.toHex() + " expired at height "
                                + answer.body().path("expiryHeight").asLong() + " without being committed");
                    }
                } else if (answer.status() != 404) {
                    throw new CommandFailure("waiting for " + hash.toHex() + ": node answered " + answer.status() + " "
                            + answer.error());
                }
                if (System.nanoTime() > deadline) {
                    throw new CommandFailure("transaction " + hash.toHex() + " not committed within " + timeoutSeconds
                            + " s (it may still commit; check with GET /v1/transactions/" + hash.toHex() + ")");
                }
                try {
                    Thread.sleep(POLL_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CommandFailure("interrupted while waiting for the commit");
                }
            }
        }

        private static void printReceipt(PrintWriter out, JsonNode receipt) {
            receipt.fields().forEachRemaining(field -> {
                JsonNode value = field.getValue();
                String shown = value.isValueNode() ? value.asText() : value.toString();
                out.printf("receipt.%-10s %s%n", field.getKey(), shown);
            });
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true, description = "Transfer native tokens to an address.")
    static final class Transfer extends Submit {
        @Option(names = "--to", required = true, paramLabel = "ADDRESS", description = "Recipient address (64 hex characters).")
        String to;

        @Option(names = "--amount", required = true, paramLabel = "N", description = "Amount to transfer.")
        long amount;

        @Override
        Payload payload() throws CommandFailure {
            requireRange("--amount", amount, 0, Long.MAX_VALUE);
            return new Payload.Transfer(address("--to", to), amount);
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true, description = "Deploy a WebAssembly contract module.")
    static final class Deploy extends Submit {
        @Option(names = "--wasm", required = true, paramLabel = "FILE", description = "The contract's .wasm module.")
        Path wasm;

        @Override
        Payload payload() throws CommandFailure {
            try {
                long size = Files.size(wasm);
                if (size > LIMITS.maxWasmBytes()) {
                    throw new CommandFailure(wasm + " is " + size + " bytes; a module may have at most " + LIMITS.maxWasmBytes());
                }
                byte[] module = Files.readAllBytes(wasm);
                if (module.length < 8 || module[0] != 0 || module[1] != 'a' || module[2] != 's' || module[3] != 'm') {
                    throw new CommandFailure(wasm + " is not a WebAssembly module (no \\0asm header)");
                }
                return new Payload.Deploy(Bytes.of(module));
            } catch (NoSuchFileException e) {
                throw new CommandFailure(wasm + " does not exist");
            } catch (IOException e) {
                throw new CommandFailure("cannot read " + wasm + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "call", mixinStandardHelpOptions = true,
            description = "Call a function of a deployed contract with a declared access set.")
    static final class Call extends Submit {
        @Option(names = "--contract", required = true, paramLabel = "ADDRESS", description = "Contract address (64 hex characters).")
        String contract;

        @Option(names = "--function", required = true, paramLabel = "NAME", description = "Function to call.")
        String function;

        @Option(names = "--args", paramLabel = "HEX", defaultValue = "", description = "Call arguments as hex (default: none).")
        String args;

        @Option(names = "--gas-limit", required = true, paramLabel = "N", description = "Most gas the call may use.")
        long gasLimit;

        @Option(names = "--read", paramLabel = "HEX", description = "A storage key the call reads (repeatable).")
        List<String> reads = new ArrayList<>();

        @Option(names = "--write", paramLabel = "HEX", description = "A storage key the call writes (repeatable).")
        List<String> writes = new ArrayList<>();

        @Override
        Payload payload() throws CommandFailure {
            requireRange("--gas-limit", gasLimit, 0, Long.MAX_VALUE);
            if (function.length() > LIMITS.maxFunctionNameBytes()) {
                throw new CommandFailure("--function is longer than " + LIMITS.maxFunctionNameBytes() + " characters");
            }
            Bytes argBytes = hex("--args", args, LIMITS.maxCallArgsBytes());
            try {
                return new Payload.Call(address("--contract", contract), function, argBytes, gasLimit,
                        new Payload.AccessSet(keys("--read", reads), keys("--write", writes)));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(e.getMessage());
            }
        }

        private static List<Bytes> keys(String option, List<String> hexKeys) throws CommandFailure {
            if (hexKeys.size() > LIMITS.maxAccessSetKeys()) {
                throw new CommandFailure(option + " given " + hexKeys.size() + " times; at most " + LIMITS.maxAccessSetKeys());
            }
            List<Bytes> keys = new ArrayList<>();
            for (String key : hexKeys) {
                keys.add(hex(option, key, LIMITS.maxStateKeyBytes()));
            }
            keys.sort(null);
            for (int i = 1; i < keys.size(); i++) {
                if (keys.get(i).equals(keys.get(i - 1))) {
                    throw new CommandFailure(option + " " + keys.get(i).toHex() + " is given twice");
                }
            }
            return keys;
        }
    }

    // ---------------------------------------------------------------- strict option parsing

    static void requireRange(String option, long value, long min, long max) throws CliSubcommand.CommandFailure {
        if (value < min || value > max) {
            throw new CliSubcommand.CommandFailure(option + " must be " + min + ".." + max + ", got " + value);
        }
    }

    static Address address(String option, String value) throws CliSubcommand.CommandFailure {
        if (value.length() != 64) {
            throw new CliSubcommand.CommandFailure(option + " must be 64 hex characters, got " + value.length());
        }
        return new Address(Hash32.of(hex(option, value, 32).toByteArray()));
    }

    static Bytes hex(String option, String value, int maxBytes) throws CliSubcommand.CommandFailure {
        if (value.length() % 2 != 0 || value.length() / 2 > maxBytes) {
            throw new CliSubcommand.CommandFailure(option + " must be an even number of hex characters, at most "
                    + (2 * maxBytes) + "; got " + value.length());
        }
        try {
            return Bytes.fromHex(value);
        } catch (IllegalArgumentException e) {
            throw new CliSubcommand.CommandFailure(option + " is not hex: " + e.getMessage());
        }
    }

    static ChainId chain(String value) throws CliSubcommand.CommandFailure {
        try {
            return new ChainId(value);
        } catch (IllegalArgumentException e) {
            throw new CliSubcommand.CommandFailure(e.getMessage());
        }
    }

    static byte[] readKeystore(Path file) throws CliSubcommand.CommandFailure {
        try {
            long size = Files.size(file);
            if (size > Keystore.MAX_FILE_BYTES) {
                throw new CliSubcommand.CommandFailure(file + " is not a keystore (" + size + " bytes; a keystore has at most "
                        + Keystore.MAX_FILE_BYTES + ")");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliSubcommand.CommandFailure(file + " does not exist");
        } catch (IOException e) {
            throw new CliSubcommand.CommandFailure("cannot read " + file + ": " + e.getMessage());
        }
    }
}
