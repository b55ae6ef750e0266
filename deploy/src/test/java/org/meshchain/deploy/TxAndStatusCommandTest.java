package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meshchain.deploy.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.node.api.ApiHarness;
import org.meshchain.node.api.ChainBackedNode;

class TxAndStatusCommandTest {

    @TempDir
    Path dir;

    ApiHarness api;
    Path keystore;
    Path passphrase;
    Address sender;
    final Address bob = Address.of(ChainBackedNode.key(2).publicKey());
    Thread committer;
    volatile boolean committing = true;

    @BeforeEach
    void start() throws Exception {
        api = new ApiHarness(dir.resolve("node"), ApiHarness.config(), Optional.empty());
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        sender = Address.of(key.publicKey());
        keystore = dir.resolve("alice.key");
        Files.write(keystore, Keystore.encrypt(key, "correct horse".toCharArray(), new SecureRandom(),
                new Keystore.Argon2Params(64, 1, 1)));
        passphrase = dir.resolve("pass");
        Files.writeString(passphrase, "correct horse\n");
        api.node.commit(List.of(), Map.of(StatePaths.account(sender), new AccountState(1_000_000, 0, 0).encode()));
    }

    @AfterEach
    void stop() throws Exception {
        committing = false;
        if (committer != null) {
            committer.join();
        }
        api.close();
    }

    /** Commits whatever is pending every 50 ms, as a running chain would. */
    private void commitContinuously() {
        committer = new Thread(() -> {
            while (committing) {
                if (api.node.pendingCount() > 0) {
                    api.node.commitPending();
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "committer");
        committer.start();
    }

    private String[] tx(String kind, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("tx", kind, "--key", keystore.toString(),
                "--passphrase-file", passphrase.toString(), "--api", api.base.toString(), "--timeout", "10"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void transferIsSignedSubmittedAndPending() {
        CliRun r = run(tx("transfer", "--to", bob.toHex(), "--amount", "25"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        String hash = r.field("hash");
        assertThat(r.field("sender")).isEqualTo(sender.toHex());
        assertThat(r.field("nonce")).isEqualTo("0");
        assertThat(r.field("status")).isEqualTo("pending");
        JsonNode pending = api.get("/v1/transactions/" + hash).json();
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        assertThat(pending.get("expiryHeight").asLong()).isEqualTo(100); // committed height 0 + --ttl-blocks 100
    }

    @Test
    void waitPrintsTheCommittedReceiptAndNoncesAdvance() {
        commitContinuously();
        CliRun first = run(tx("transfer", "--to", bob.toHex(), "--amount", "25", "--fee", "3", "--wait"));
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.field("status")).isEqualTo("committed");
        long height = Long.parseLong(first.field("height"));
        assertThat(height).isPositive();
        assertThat(first.field("block")).isEqualTo(api.get("/v1/blocks/" + height).json().get("header").get("id").asText());
        assertThat(first.field("receipt.hex")).isNotBlank();
        assertThat(api.get("/v1/accounts/" + bob.toHex()).json().get("balance").asLong()).isEqualTo(25);
        assertThat(api.get("/v1/accounts/" + sender.toHex()).json().get("balance").asLong()).isEqualTo(1_000_000 - 28);

        CliRun second = run(tx("transfer", "--to", bob.toHex(), "--amount", "5", "--wait"));
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.field("nonce")).isEqualTo("1");
    }

    @Test
    void callAndDeployAreSubmittedInTheirJsonShape() throws Exception {
        Address contract = Address.of(ChainBackedNode.key(3).publicKey());
        CliRun call = run(tx("call", "--contract", contract.toHex(), "--function", "increment", "--args", "0102",
                "--gas-limit", "50000", "--write", "ff", "--write", "0a", "--read", "0b"));
        assertThat(call.exitCode()).as(call.err()).isZero();
        api.node.commitPending();
        JsonNode payload = api.get("/v1/transactions/" + call.field("hash")).json().get("transaction").get("body").get("payload");
        assertThat(payload.get("type").asText()).isEqualTo("call");
        assertThat(payload.get("function").asText()).isEqualTo("increment");
        assertThat(payload.get("args").asText()).isEqualTo("0102");
        assertThat(payload.get("accessSet").get("writes").toString()).isEqualTo("[\"0a\",\"ff\"]");

        Path wasm = dir.resolve("counter.wasm");
        Files.write(wasm, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        CliRun deploy = run(tx("deploy", "--wasm", wasm.toString()));
        assertThat(deploy.exitCode()).as(deploy.err()).isZero();
        assertThat(deploy.field("nonce")).isEqualTo("1");
    }

    @Test
    void deployAndCallTheTokenContractThenReadItsStateWithAProof() throws Exception {
        commitContinuously();
        Path token = dir.resolve("token.wasm");
        try (var in = getClass().getResourceAsStream("/org/meshchain/wasm/contracts/token.wasm")) {
            Files.write(token, in.readAllBytes());
        }
        CliRun deploy = run(tx("deploy", "--wasm", token.toString(), "--wait"));
        assertThat(deploy.exitCode()).as(deploy.err()).isZero();
        assertThat(deploy.field("receipt.status")).isEqualTo("success");
        String contract = deploy.field("receipt.output");
        assertThat(contract).isEqualTo(org.meshchain.core.ledger.Ledger.contractAddress(sender, 0).toHex());

        CliRun init = run(tx("call", "--contract", contract, "--function", "init", "--gas-limit", "1000000",
                "--write", "6f", "--wait"));
        assertThat(init.field("receipt.status")).as(init.out() + init.err()).isEqualTo("success");
        String balanceKey = "62" + sender.toHex();
        byte[] amount = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(1_000).array();
        String mintArgs = sender.toHex() + java.util.HexFormat.of().formatHex(amount);
        CliRun mint = run(tx("call", "--contract", contract, "--function", "mint", "--args", mintArgs,
                "--gas-limit", "1000000", "--read", "6f", "--write", balanceKey, "--wait"));
        assertThat(mint.field("receipt.status")).as(mint.out() + mint.err()).isEqualTo("success");
        assertThat(Long.parseLong(mint.field("receipt.gasUsed"))).isPositive();

        JsonNode slot = api.get("/v1/contracts/" + contract + "/state/" + balanceKey + "?proof=true").json();
        assertThat(slot.get("value").asText()).isEqualTo(java.util.HexFormat.of().formatHex(amount));
        org.meshchain.merkle.SmtProof proof = org.meshchain.merkle.SmtProof.decode(
                java.util.HexFormat.of().parseHex(slot.get("proof").get("encoded").asText()));
        assertThat(org.meshchain.merkle.SmtProof.verifyMembership(
                org.meshchain.core.crypto.Hash32.fromHex(slot.get("proof").get("stateRoot").asText()),
                StatePaths.storage(Address.fromHex(contract), org.meshchain.core.codec.Bytes.fromHex(balanceKey)),
                amount, proof)).isTrue();
        assertThat(api.get("/v1/contracts/" + contract).json().get("codeHash").asText()).hasSize(64);
    }

    @Test
    void failuresAreOneLineWithExitCode1() throws Exception {
        assertThat(run(tx("transfer", "--to", bob.toHex(), "--amount", "1")).exitCode()).isZero();
        api.node.commitPending();
        CliRun reused = run(tx("transfer", "--to", bob.toHex(), "--amount", "1", "--nonce", "0"));
        assertThat(reused.exitCode()).isEqualTo(1);
        assertThat(reused.err()).startsWith("meshchain tx transfer: rejected by the node (HTTP 400): nonce_too_low: ");
        assertThat(reused.err().strip().lines().count()).isEqualTo(1);

        CliRun badAddress = run(tx("transfer", "--to", "abc", "--amount", "1"));
        assertThat(badAddress.exitCode()).isEqualTo(1);
        assertThat(badAddress.err().strip()).isEqualTo("meshchain tx transfer: --to must be 64 hex characters, got 3");

        CliRun negative = run(tx("transfer", "--to", bob.toHex(), "--amount", "-5"));
        assertThat(negative.err().strip()).isEqualTo("meshchain tx transfer: --amount must be 0..9223372036854775807, got -5");

        Files.writeString(passphrase, "wrong\n");
        CliRun wrongPass = run(tx("transfer", "--to", bob.toHex(), "--amount", "1"));
        assertThat(wrongPass.exitCode()).isEqualTo(1);
        assertThat(wrongPass.err()).startsWith("meshchain tx transfer: " + keystore + ": ");

        Path notWasm = dir.resolve("x.wasm");
        Files.writeString(notWasm, "hello world");
        assertThat(run(tx("deploy", "--wasm", notWasm.toString())).err()).contains("is not a WebAssembly module");

        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        CliRun unreachable = run("status", "--api", "http://127.0.0.1:" + deadPort);
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err()).startsWith("meshchain status: cannot reach node at http://127.0.0.1:" + deadPort + "/");
        assertThat(run("status", "--api", "ftp://x").err().strip())
                .isEqualTo("meshchain status: --api must be an http:// or https:// URL with a host (e.g. http://127.0.0.1:8080), got ftp://x");
    }

    @Test
    void statusShowsTheNodesProgress() {
        api.node.commit(List.of(), Map.of());
        CliRun r = run("status", "--api", api.base.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.field("chain")).isEqualTo("api-test");
        assertThat(r.field("height")).isEqualTo("1");
        assertThat(r.field("syncing")).isEqualTo("false");
        assertThat(r.out()).contains("validators  4 (quorum 3)");
        assertThat(new String(r.out().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).contains("storage     open");
    }
}
