package org.meshchain.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.merkle.SmtProof;
import org.meshchain.node.port.DeviceDirectory;

class ApiServerTest {

    static final Ed25519PrivateKey ALICE = ChainBackedNode.key(1);
    static final Ed25519PrivateKey BOB = ChainBackedNode.key(2);
    static final Address ALICE_ADDRESS = Address.of(ALICE.publicKey());
    static final Address BOB_ADDRESS = Address.of(BOB.publicKey());
    static final Address CONTRACT = Address.of(ChainBackedNode.key(3).publicKey());

    @TempDir
    Path dir;

    ApiHarness api;

    @BeforeEach
    void start() {
        api = new ApiHarness(dir, ApiHarness.config(), Optional.empty());
        // genesis: Alice funded, one contract with a storage slot
        api.node.commit(List.of(), Map.of(
                StatePaths.account(ALICE_ADDRESS), new AccountState(1_000_000, 0, 0).encode(),
                StatePaths.contract(CONTRACT), Bytes.of(new byte[32]),
                StatePaths.storage(CONTRACT, Bytes.fromHex("6b6579")), Bytes.fromHex("76616c7565")));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static SignedTransaction transfer(Ed25519PrivateKey from, long nonce, Address to, long amount) {
        return transfer(ChainBackedNode.CHAIN, from, nonce, to, amount);
    }

    static SignedTransaction transfer(ChainId chain, Ed25519PrivateKey from, long nonce, Address to, long amount) {
        return SignedTransaction.sign(new TransactionBody(chain, Address.of(from.publicKey()), nonce, 10, 1_000,
                new Payload.Transfer(to, amount)), from);
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    // ---------------------------------------------------------------- status, validators, devices

    @Test
    void statusReportsHeightRoundLeaderAndHead() {
        api.node.commit(List.of(), Map.of());
        ApiHarness.Response r = api.get("/v1/status");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("content-type")).contains("application/json");
        JsonNode s = r.json();
        assertThat(s.get("chainId").asText()).isEqualTo("api-test");
        assertThat(s.get("committedHeight").asLong()).isEqualTo(1);
        assertThat(s.get("round").asLong()).isEqualTo(2);
        assertThat(s.get("leader").asText()).isEqualTo(api.node.self().toHex());
        assertThat(s.get("syncing").asBoolean()).isFalse();
        assertThat(s.get("storageOpen").asBoolean()).isTrue();
        assertThat(s.get("validatorCount").asInt()).isEqualTo(4);
        assertThat(s.get("head").get("height").asLong()).isEqualTo(1);
        assertThat(s.get("head").get("stateRoot").asText())
                .isEqualTo(api.node.latestCertifiedHeader().orElseThrow().certificate().voteData().stateRoot().toHex());
    }

    @Test
    void validatorsCarryPeerScoresAndBans() {
        Instant banned = Instant.parse("2026-11-21T05:00:00Z");
        api.node.setPeers(List.of(
                ChainBackedNode.peer(ApiHarness.VALIDATORS.get(1), true, 0.75, null),
                ChainBackedNode.peer(ApiHarness.VALIDATORS.get(2), false, -3.5, banned)));
        JsonNode v = api.get("/v1/validators").json();
        assertThat(v.get("count").asInt()).isEqualTo(4);
        assertThat(v.get("quorum").asInt()).isEqualTo(3);
        assertThat(v.get("maxFaulty").asInt()).isEqualTo(1);
        JsonNode list = v.get("validators");
        assertThat(list).hasSize(4);
        for (JsonNode entry : list) {
            Address address = Address.fromHex(entry.get("address").asText());
            if (address.equals(api.node.self())) {
                assertThat(entry.get("self").asBoolean()).isTrue();
                assertThat(entry.get("peer").isNull()).isTrue();
            } else if (address.equals(Address.of(ApiHarness.VALIDATORS.get(1).publicKey()))) {
                assertThat(entry.get("peer").get("connected").asBoolean()).isTrue();
                assertThat(entry.get("peer").get("score").asDouble()).isEqualTo(0.75);
                assertThat(entry.get("peer").get("banned").asBoolean()).isFalse();
            } else if (address.equals(Address.of(ApiHarness.VALIDATORS.get(2).publicKey()))) {
                assertThat(entry.get("peer").get("score").asDouble()).isEqualTo(-3.5);
                assertThat(entry.get("peer").get("banned").asBoolean()).isTrue();
                assertThat(entry.get("peer").get("bannedUntil").asText()).isEqualTo("2026-11-21T05:00:00Z");
            } else {
                assertThat(entry.get("peer").isNull()).isTrue();
            }
        }
        // address order is the round-robin order
        assertThat(Address.fromHex(list.get(0).get("address").asText()))
                .isLessThan(Address.fromHex(list.get(1).get("address").asText()));
    }

    @Test
    void devicesAreEmptyWithoutBridge() {
        JsonNode d = api.get("/v1/devices").json();
        assertThat(d.get("bridge").asBoolean()).isFalse();
        assertThat(d.get("devices")).isEmpty();
        assertThat(api.get("/v1/devices/" + BOB_ADDRESS.toHex()).status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- blocks

    @Test
    void blocksByHeightIdAndLatestAgree() {
        SignedTransaction tx = transfer(ALICE, 0, BOB_ADDRESS, 5);
        Block block = api.node.commit(List.of(tx), Map.of());
        JsonNode byHeight = api.get("/v1/blocks/1").json();
        JsonNode byId = api.get("/v1/blocks/" + block.id().toHex()).json();
        JsonNode latest = api.get("/v1/blocks/latest").json();
        assertThat(byHeight).isEqualTo(byId).isEqualTo(latest);
        assertThat(byHeight.get("header").get("id").asText()).isEqualTo(block.id().toHex());
        assertThat(byHeight.get("header").get("height").asLong()).isEqualTo(1);
        assertThat(byHeight.get("header").get("parentId").asText())
                .isEqualTo(api.get("/v1/blocks/0").json().get("header").get("id").asText());
        assertThat(byHeight.get("certificate").get("voteData").get("blockId").asText()).isEqualTo(block.id().toHex());
        assertThat(byHeight.get("certificate").get("signatures")).hasSize(4);
        assertThat(byHeight.get("transactionCount").asInt()).isEqualTo(1);
        assertThat(byHeight.get("transactions").get(0).get("hash").asText()).isEqualTo(tx.id().toHex());
        assertThat(byHeight.get("transactions").get(0).get("type").asText()).isEqualTo("transfer");
        // upper-case hex names the same block
        assertThat(api.get("/v1/blocks/" + block.id().toHex().toUpperCase()).status()).isEqualTo(200);
    }

    @Test
    void blockReferencesAreParsedStrictly() {
        assertThat(api.get("/v1/blocks/7").status()).isEqualTo(404);
        assertThat(api.get("/v1/blocks/7").json().get("error").asText()).isEqualTo("not_found");
        assertThat(api.get("/v1/blocks/" + "ab".repeat(32)).status()).isEqualTo(404);
        for (String bad : List.of("01", "-1", "+1", "1.0", "abc", "9223372036854775808", "ab".repeat(31) + "a",
                "zz".repeat(32), "1e3", "%20")) {
            ApiHarness.Response r = api.get("/v1/blocks/" + bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(bad).startsWith("invalid_");
            assertThat(r.json().get("detail").asText()).as(bad).isNotBlank();
        }
        assertThat(api.get("/v1/blocks/0?full=true").status()).isEqualTo(400);
        assertThat(api.get("/v1/blocks/0?full=true").json().get("error").asText()).isEqualTo("unknown_parameter");
        assertThat(api.get("/v1/blocks/").status()).isEqualTo(404);
        assertThat(api.get("/v1/blocks/0/extra").status()).isEqualTo(404);
        assertThat(api.get("/v2/status").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- accounts and contract state

    @Test
    void accountWithoutProof() {
        JsonNode a = api.get("/v1/accounts/" + ALICE_ADDRESS.toHex()).json();
        assertThat(a.get("exists").asBoolean()).isTrue();
        assertThat(a.get("balance").asLong()).isEqualTo(1_000_000);
        assertThat(a.get("nextNonce").asLong()).isZero();
        assertThat(a.has("proof")).isFalse();
        JsonNode missing = api.get("/v1/accounts/" + BOB_ADDRESS.toHex()).json();
        assertThat(missing.get("exists").asBoolean()).isFalse();
        assertThat(missing.get("balance").asLong()).isZero();
    }

    @Test
    void accountProofVerifiesAgainstTheCertifiedStateRoot() throws Exception {
        api.node.commit(List.of(transfer(ALICE, 0, BOB_ADDRESS, 250)), Map.of());
        JsonNode a = api.get("/v1/accounts/" + BOB_ADDRESS.toHex() + "?proof=true").json();
        assertThat(a.get("balance").asLong()).isEqualTo(250);
        JsonNode proof = a.get("proof");
        Hash32 root = Hash32.fromHex(proof.get("stateRoot").asText());
        // the root is the one the certificate in the response certifies, for the header in the response
        JsonNode certified = a.get("certifiedHeader");
        assertThat(certified.get("certificate").get("voteData").get("stateRoot").asText()).isEqualTo(root.toHex());
        assertThat(certified.get("certificate").get("voteData").get("blockId").asText())
                .isEqualTo(certified.get("header").get("id").asText());
        Hash32 path = StatePaths.account(BOB_ADDRESS);
        assertThat(proof.get("path").asText()).isEqualTo(path.toHex());
        byte[] value = Bytes.fromHex(proof.get("value").asText()).toByteArray();
        assertThat(AccountState.decode(Bytes.of(value)).balance()).isEqualTo(250);
        SmtProof decoded = SmtProof.decode(Bytes.fromHex(proof.get("encoded").asText()).toByteArray());
        assertThat(decoded.siblings()).hasSize(proof.get("siblings").size());
        assertThat(SmtProof.verifyMembership(root, path, value, decoded)).isTrue();
        // and it proves nothing else
        assertThat(SmtProof.verifyMembership(root, path, new AccountState(251, 0, 0).encode().toByteArray(), decoded)).isFalse();
    }

    @Test
    void absentAccountGetsANonMembershipProof() throws Exception {
        Address nobody = Address.of(ChainBackedNode.key(99).publicKey());
        JsonNode a = api.get("/v1/accounts/" + nobody.toHex() + "?proof=true").json();
        assertThat(a.get("exists").asBoolean()).isFalse();
        assertThat(a.get("proof").get("value").isNull()).isTrue();
        Hash32 root = Hash32.fromHex(a.get("proof").get("stateRoot").asText());
        SmtProof proof = SmtProof.decode(Bytes.fromHex(a.get("proof").get("encoded").asText()).toByteArray());
        assertThat(SmtProof.verifyNonMembership(root, StatePaths.account(nobody), proof)).isTrue();
        assertThat(SmtProof.verifyNonMembership(root, StatePaths.account(ALICE_ADDRESS), proof)).isFalse();
    }

    @Test
    void aProofThatDoesNotVerifyIsNeverServed() {
        api.node.setLyingProofs(true);
        ApiHarness.Response r = api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=true");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.json().get("detail").asText()).contains("does not verify against state root");
        api.node.setLyingProofs(false);
        assertThat(api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=true").status()).isEqualTo(200);
    }

    @Test
    void accountParametersAreStrict() {
        assertThat(api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=yes").status()).isEqualTo(400);
        assertThat(api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=true&proof=true").json().get("error").asText())
                .isEqualTo("repeated_parameter");
        assertThat(api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=false").json().has("proof")).isFalse();
        assertThat(api.get("/v1/accounts/0x" + ALICE_ADDRESS.toHex().substring(2)).status()).isEqualTo(400);
        assertThat(api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "00").json().get("error").asText())
                .isEqualTo("invalid_address");
    }

    @Test
    void contractStateWithAndWithoutProof() throws Exception {
        JsonNode c = api.get("/v1/contracts/" + CONTRACT.toHex()).json();
        assertThat(c.get("codeHash").asText()).isEqualTo("00".repeat(32));
        JsonNode slot = api.get("/v1/contracts/" + CONTRACT.toHex() + "/state/6b6579").json();
        assertThat(slot.get("exists").asBoolean()).isTrue();
        assertThat(slot.get("value").asText()).isEqualTo("76616c7565");
        JsonNode proved = api.get("/v1/contracts/" + CONTRACT.toHex() + "/state/6b6579?proof=true").json();
        Hash32 root = Hash32.fromHex(proved.get("proof").get("stateRoot").asText());
        SmtProof proof = SmtProof.decode(Bytes.fromHex(proved.get("proof").get("encoded").asText()).toByteArray());
        assertThat(SmtProof.verifyMembership(root, StatePaths.storage(CONTRACT, Bytes.fromHex("6b6579")),
                Bytes.fromHex("76616c7565").toByteArray(), proof)).isTrue();
        JsonNode empty = api.get("/v1/contracts/" + CONTRACT.toHex() + "/state/00").json();
        assertThat(empty.get("exists").asBoolean()).isFalse();
        assertThat(empty.get("value").isNull()).isTrue();
        assertThat(api.get("/v1/contracts/" + BOB_ADDRESS.toHex()).status()).isEqualTo(404);
        assertThat(api.get("/v1/contracts/" + CONTRACT.toHex() + "/state/" + "00".repeat(129)).json().get("error").asText())
                .isEqualTo("invalid_key");
        assertThat(api.get("/v1/contracts/" + CONTRACT.toHex() + "/state/abc").status()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- transactions

    @Test
    void submitHexBase64AndJsonFormsThenFollowToCommit() throws Exception {
        SignedTransaction viaHex = transfer(ALICE, 0, BOB_ADDRESS, 1);
        SignedTransaction viaBase64 = transfer(ALICE, 1, BOB_ADDRESS, 2);
        SignedTransaction viaJson = transfer(ALICE, 2, BOB_ADDRESS, 3);
        ApiHarness.Response hex = api.postJson("/v1/transactions",
                "{\"hex\":\"" + hex(DomainCodecs.encode(viaHex)) + "\"}");
        assertThat(hex.status()).isEqualTo(202);
        assertThat(hex.json().get("hash").asText()).isEqualTo(viaHex.id().toHex());
        assertThat(hex.json().get("status").asText()).isEqualTo("pending");
        ApiHarness.Response b64 = api.postJson("/v1/transactions",
                "{\"base64\":\"" + Base64.getEncoder().encodeToString(DomainCodecs.encode(viaBase64)) + "\"}");
        assertThat(b64.status()).isEqualTo(202);
        assertThat(b64.json().get("hash").asText()).isEqualTo(viaBase64.id().toHex());
        String jsonForm = StrictJson.write(TransactionJson.render(viaJson));
        ApiHarness.Response json = api.postJson("/v1/transactions", "{\"transaction\":" + jsonForm + "}");
        assertThat(json.status()).as(json.body()).isEqualTo(202);
        assertThat(json.json().get("hash").asText()).isEqualTo(viaJson.id().toHex());
        ApiHarness.Response binary = api.post("/v1/transactions", "application/octet-stream",
                DomainCodecs.encode(transfer(ALICE, 3, BOB_ADDRESS, 4)));
        assertThat(binary.status()).isEqualTo(202);

        JsonNode waiting = api.get("/v1/transactions/" + viaJson.id().toHex()).json();
        assertThat(waiting.get("status").asText()).isEqualTo("pending");
        assertThat(api.node.pendingCount()).isEqualTo(4);

        Block block = api.node.commitPending();
        JsonNode committed = api.get("/v1/transactions/" + viaJson.id().toHex()).json();
        assertThat(committed.get("status").asText()).isEqualTo("committed");
        assertThat(committed.get("height").asLong()).isEqualTo(block.header().height());
        assertThat(committed.get("position").asInt()).isEqualTo(2);
        assertThat(committed.get("blockId").asText()).isEqualTo(block.id().toHex());
        assertThat(StrictJson.write(committed.get("transaction"))).isEqualTo(StrictJson.write(TransactionJson.render(viaJson)));
        JsonNode receipt = committed.get("receipt");
        assertThat(receipt.get("status").asText()).isEqualTo("success");
        assertThat(receipt.get("feeCharged").asLong()).isEqualTo(10);
        assertThat(receipt.get("gasUsed").asLong()).isZero();
        assertThat(receipt.get("errorCode").isNull()).isTrue();
        assertThat(org.meshchain.core.ledger.Receipt.decode(Bytes.fromHex(receipt.get("hex").asText())).succeeded()).isTrue();
        assertThat(api.get("/v1/accounts/" + BOB_ADDRESS.toHex()).json().get("balance").asLong()).isEqualTo(10);
    }

    @Test
    void rejectionsCarryTheMempoolCode() {
        SignedTransaction tx = transfer(ALICE, 0, BOB_ADDRESS, 1);
        String body = "{\"hex\":\"" + hex(DomainCodecs.encode(tx)) + "\"}";
        assertThat(api.postJson("/v1/transactions", body).status()).isEqualTo(202);
        ApiHarness.Response dup = api.postJson("/v1/transactions", body);
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("error").asText()).isEqualTo("duplicate");
        assertThat(dup.json().get("hash").asText()).isEqualTo(tx.id().toHex());

        SignedTransaction otherChain = transfer(new ChainId("elsewhere"), ALICE, 1, BOB_ADDRESS, 1);
        ApiHarness.Response wrong = api.postJson("/v1/transactions", "{\"hex\":\"" + hex(DomainCodecs.encode(otherChain)) + "\"}");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().get("error").asText()).isEqualTo("wrong_chain");

        // Bob's key signs a body that names Alice as sender
        SignedTransaction forged = SignedTransaction.sign(new TransactionBody(ChainBackedNode.CHAIN, ALICE_ADDRESS, 1, 10,
                1_000, new Payload.Transfer(BOB_ADDRESS, 1)), BOB);
        ApiHarness.Response bad = api.postJson("/v1/transactions", "{\"hex\":\"" + hex(DomainCodecs.encode(forged)) + "\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("bad_signature");
        assertThat(api.node.pendingCount()).isEqualTo(1);
    }

    @Test
    void busyNodeAnswers503WithRetryAfterAndTakesNothing() {
        SignedTransaction tx = transfer(ALICE, 0, BOB_ADDRESS, 1);
        String body = "{\"hex\":\"" + hex(DomainCodecs.encode(tx)) + "\"}";
        api.node.busyAtLimit = 7;
        ApiHarness.Response busy = api.postJson("/v1/transactions", body);
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.raw().headers().firstValue("Retry-After")).contains("1");
        assertThat(busy.json().get("error").asText()).isEqualTo("busy");
        assertThat(busy.json().get("detail").asText()).contains("submission limit").contains("7").contains("retry later");
        assertThat(busy.json().get("hash").asText()).isEqualTo(tx.id().toHex());
        assertThat(api.node.pendingCount()).isZero();
        // the same bytes are taken once the node has room again
        api.node.busyAtLimit = 0;
        ApiHarness.Response accepted = api.postJson("/v1/transactions", body);
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.raw().headers().firstValue("Retry-After")).isEmpty();
        assertThat(api.node.pendingCount()).isEqualTo(1);
    }

    /** A batch body: each item's bytes after their length as 4 bytes big-endian. */
    static byte[] batch(byte[]... items) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] item : items) {
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(item.length).array());
            out.writeBytes(item);
        }
        return out.toByteArray();
    }

    @Test
    void batchSubmitsEveryTransactionAndAnswersInOrder() {
        List<SignedTransaction> txs = List.of(transfer(ALICE, 0, BOB_ADDRESS, 1), transfer(ALICE, 1, BOB_ADDRESS, 2),
                transfer(ALICE, 2, BOB_ADDRESS, 3));
        ApiHarness.Response r = api.post("/v1/transactions/batch", "application/octet-stream",
                batch(txs.stream().map(DomainCodecs::encode).toArray(byte[][]::new)));
        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(results.get(i).get("hash").asText()).isEqualTo(txs.get(i).id().toHex());
            assertThat(results.get(i).get("status").asText()).isEqualTo("pending");
        }
        assertThat(api.node.pendingCount()).isEqualTo(3);
        // accepted through the batch, so the single-transaction lookup knows them as pending
        assertThat(api.get("/v1/transactions/" + txs.get(1).id().toHex()).json().get("status").asText()).isEqualTo("pending");
    }

    @Test
    void aBadTransactionInABatchGetsItsOwnRejectionAndTheOthersStand() {
        SignedTransaction first = transfer(ALICE, 0, BOB_ADDRESS, 1);
        SignedTransaction forged = SignedTransaction.sign(new TransactionBody(ChainBackedNode.CHAIN, ALICE_ADDRESS, 1, 10,
                1_000, new Payload.Transfer(BOB_ADDRESS, 1)), BOB);
        SignedTransaction second = transfer(ALICE, 1, BOB_ADDRESS, 2);
        byte[] undecodable = java.util.Arrays.copyOf(DomainCodecs.encode(transfer(ALICE, 2, BOB_ADDRESS, 3)),
                DomainCodecs.encode(transfer(ALICE, 2, BOB_ADDRESS, 3)).length + 1);
        ApiHarness.Response r = api.post("/v1/transactions/batch", "application/octet-stream",
                batch(DomainCodecs.encode(first), DomainCodecs.encode(forged), DomainCodecs.encode(second), undecodable,
                        DomainCodecs.encode(first)));
        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.size()).isEqualTo(5);
        assertThat(results.get(0).get("status").asText()).isEqualTo("pending");
        assertThat(results.get(1).get("error").asText()).isEqualTo("bad_signature");
        assertThat(results.get(1).get("hash").asText()).isEqualTo(forged.id().toHex());
        assertThat(results.get(2).get("status").asText()).isEqualTo("pending");
        assertThat(results.get(2).get("hash").asText()).isEqualTo(second.id().toHex());
        assertThat(results.get(3).get("error").asText()).isEqualTo("malformed_transaction");
        assertThat(results.get(3).has("hash")).isFalse();
        assertThat(results.get(4).get("error").asText()).isEqualTo("duplicate");
        assertThat(api.node.pendingCount()).isEqualTo(2);
    }

    @Test
    void busyInABatchIsPerTransaction() {
        api.node.busyAtLimit = 3;
        SignedTransaction tx = transfer(ALICE, 0, BOB_ADDRESS, 1);
        ApiHarness.Response r = api.post("/v1/transactions/batch", "application/octet-stream", batch(DomainCodecs.encode(tx)));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("results").get(0).get("error").asText()).isEqualTo("busy");
        assertThat(api.node.pendingCount()).isZero();
    }

    @Test
    void oversizedAndMalformedBatchesAreRefusedWhole() {
        byte[] good = DomainCodecs.encode(transfer(ALICE, 0, BOB_ADDRESS, 1));
        byte[][] tooMany = new byte[ApiRoutes.MAX_BATCH_TRANSACTIONS + 1][];
        java.util.Arrays.fill(tooMany, new byte[] {1});
        tooMany[0] = good;
        ApiHarness.Response many = api.post("/v1/transactions/batch", "application/octet-stream", batch(tooMany));
        assertThat(many.status()).isEqualTo(413);
        assertThat(many.json().get("error").asText()).isEqualTo("batch_too_large");

        ApiHarness.Response huge = api.post("/v1/transactions/batch", "application/octet-stream", new byte[65 * 1024]);
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.json().get("error").asText()).isEqualTo("body_too_large");

        byte[] framed = batch(good);
        Map<String, byte[]> malformed = new java.util.LinkedHashMap<>();
        malformed.put("empty", new byte[0]);
        malformed.put("truncated length", java.util.Arrays.copyOf(batch(good, good), framed.length + 2));
        malformed.put("runs past the end", java.util.Arrays.copyOf(framed, framed.length - 1));
        malformed.put("zero length", batch(good, new byte[0]));
        malformed.put("over the transaction limit", java.nio.ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).array());
        malformed.forEach((what, body) -> {
            ApiHarness.Response r = api.post("/v1/transactions/batch", "application/octet-stream", body);
            assertThat(r.status()).as(what).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(what).isEqualTo("malformed_batch");
        });
        assertThat(api.post("/v1/transactions/batch", "application/json", "[]".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(415);
        ApiHarness.Response get = api.get("/v1/transactions/batch");
        assertThat(get.status()).isEqualTo(405);
        assertThat(api.node.pendingCount()).isZero();
    }

    @Test
    void malformedSubmissionsAreRefusedWithoutSideEffects() {
        byte[] canonical = DomainCodecs.encode(transfer(ALICE, 0, BOB_ADDRESS, 1));
        byte[] trailing = java.util.Arrays.copyOf(canonical, canonical.length + 1);
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"hex\":\"" + hex(trailing) + "\"}", "malformed_transaction");
        cases.put("{\"hex\":\"" + hex(canonical).substring(1) + "\"}", "invalid_field");
        cases.put("{\"hex\":\"zz\"}", "invalid_field");
        cases.put("{\"base64\":\"!!!\"}", "invalid_field");
        cases.put("{\"hex\":\"00\",\"base64\":\"AA==\"}", "invalid_field");
        cases.put("{}", "invalid_field");
        cases.put("{\"hex\":\"00\",\"extra\":1}", "invalid_field");
        cases.put("{\"hex\":\"00\",\"hex\":\"01\"}", "malformed_json");
        cases.put("[1,2]", "malformed_json");
        cases.put("{\"hex\":", "malformed_json");
        cases.put("{\"hex\":\"00\"} {}", "malformed_json");
        String form = StrictJson.write(TransactionJson.render(transfer(ALICE, 0, BOB_ADDRESS, 1)));
        cases.put("{\"transaction\":" + form.replace("\"amount\":1", "\"amount\":1.5") + "}", "invalid_field");
        cases.put("{\"transaction\":" + form.replace("\"amount\":1", "\"amount\":\"1\"") + "}", "invalid_field");
        cases.put("{\"transaction\":" + form.replace("\"amount\":1", "\"amount\":-1") + "}", "invalid_field");
        cases.put("{\"transaction\":" + form.replace("\"amount\":1", "\"amount\":9223372036854775808") + "}", "invalid_field");
        cases.put("{\"transaction\":" + form.replace("\"type\":\"transfer\"", "\"type\":\"mint\"") + "}", "invalid_field");
        cases.put("{\"transaction\":" + form.replace("\"nonce\":0", "\"nonce\":0,\"memo\":\"x\"") + "}", "invalid_field");
        cases.put("{\"transaction\":" + form.replace("\"chainId\":\"api-test\"", "\"chainId\":\"API\"") + "}", "invalid_field");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ApiHarness.Response r = api.postJson("/v1/transactions", c.getKey());
            assertThat(r.status()).as(c.getKey()).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(r.json().get("detail").asText()).as(c.getKey()).isNotBlank();
        }
        ApiHarness.Response text = api.post("/v1/transactions", "text/plain", "00".getBytes(StandardCharsets.US_ASCII));
        assertThat(text.status()).isEqualTo(415);
        assertThat(api.send(HttpRequest.newBuilder(api.base.resolve("/v1/transactions")).GET().build()).status())
                .isEqualTo(405);
        assertThat(api.send(HttpRequest.newBuilder(api.base.resolve("/v1/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).status()).isEqualTo(405);
        assertThat(api.node.pendingCount()).isZero();
    }

    @Test
    void oversizedBodiesGet413WithAndWithoutContentLength() {
        byte[] big = ("{\"hex\":\"" + "00".repeat(40 * 1024) + "\"}").getBytes(StandardCharsets.US_ASCII);
        ApiHarness.Response declared = api.post("/v1/transactions", "application/json", big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.json().get("error").asText()).isEqualTo("body_too_large");
        // chunked: no Content-Length, the limit applies while streaming
        HttpRequest chunked = HttpRequest.newBuilder(api.base.resolve("/v1/transactions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        ApiHarness.Response streamed = api.send(chunked);
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(api.get("/v1/status").status()).isEqualTo(200);
    }

    @Test
    void unknownTransactionIs404AndHashesAreStrict() {
        assertThat(api.get("/v1/transactions/" + "11".repeat(32)).status()).isEqualTo(404);
        assertThat(api.get("/v1/transactions/" + "11".repeat(31)).json().get("error").asText()).isEqualTo("invalid_hash");
    }

    // ---------------------------------------------------------------- metrics and dashboard

    @Test
    void metricsRenderNodeAndApiSeries() {
        api.get("/v1/status");
        api.get("/v1/blocks/99");
        ApiHarness.Response m = api.get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.raw().headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        assertThat(m.body()).contains("meshchain_committed_height 0\n");
        assertThat(m.body()).contains("meshchain_api_requests_total{route=\"/v1/status\",status=\"200\"} 1\n");
        assertThat(m.body()).contains("meshchain_api_requests_total{route=\"/v1/blocks/{block}\",status=\"404\"} 1\n");
        assertThat(m.body()).contains("# TYPE meshchain_api_request_duration_seconds histogram");
    }

    @Test
    void dashboardIsServedAtRoot() {
        ApiHarness.Response page = api.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("EventSource('/v1/events')").contains("/v1/status");
    }

    @Test
    void devicesFromTheBridgeDirectoryAndChain() {
        api.close();
        Ed25519PrivateKey deviceKey = ChainBackedNode.key(40);
        Address device = Address.of(deviceKey.publicKey());
        DeviceDirectory directory = new DeviceDirectory() {
            @Override
            public List<DeviceStatus> devices() {
                return List.of(new DeviceStatus(device, true, Optional.of(Instant.parse("2026-11-21T02:00:00Z")), 7, 1, 42));
            }

            @Override
            public Optional<DeviceStatus> device(Address address) {
                return devices().stream().filter(d -> d.device().equals(address)).findFirst();
            }
        };
        api = new ApiHarness(dir, ApiHarness.config(), Optional.of(directory));
        api.node.commit(List.of(), Map.of(StatePaths.device(device),
                new DeviceRecord(deviceKey.publicKey(), ALICE_ADDRESS, 500, 41).encode()));
        JsonNode list = api.get("/v1/devices").json();
        assertThat(list.get("bridge").asBoolean()).isTrue();
        assertThat(list.get("devices").get(0).get("device").asText()).isEqualTo(device.toHex());
        assertThat(list.get("devices").get(0).get("online").asBoolean()).isTrue();
        assertThat(list.get("devices").get(0).get("framesAccepted").asLong()).isEqualTo(7);
        JsonNode one = api.get("/v1/devices/" + device.toHex()).json();
        assertThat(one.get("bridge").get("lastCounter").asLong()).isEqualTo(42);
        assertThat(one.get("registration").get("owner").asText()).isEqualTo(ALICE_ADDRESS.toHex());
        assertThat(one.get("registration").get("collateral").asLong()).isEqualTo(500);
    }

    @Test
    void storageFailuresAre500JsonAndLeaveTheServerUp() {
        api.node.setFailingReads(true);
        for (String path : List.of("/v1/blocks/latest", "/v1/accounts/" + ALICE_ADDRESS.toHex(),
                "/v1/transactions/" + "11".repeat(32))) {
            ApiHarness.Response r = api.get(path);
            assertThat(r.status()).as(path).isEqualTo(500);
            assertThat(r.json().get("error").asText()).isEqualTo("internal");
            assertThat(r.json().get("detail").asText()).contains("injected disk error");
        }
        api.node.setFailingReads(false);
        assertThat(api.get("/v1/blocks/latest").status()).isEqualTo(200);
    }

    @Test
    void aNodeThatDoesNotAnswerInTimeGets503() {
        api.close();
        ApiConfig quick = ApiHarness.config();
        api = new ApiHarness(dir, new ApiConfig(quick.host(), 0, quick.maxBodyBytes(), java.time.Duration.ofMillis(300),
                quick.sseBufferEvents(), quick.maxSseClients(), quick.sseHeartbeat(), quick.pendingCacheEntries(),
                quick.maxListItems()), Optional.empty());
        api.node.setStalledProofs(true);
        ApiHarness.Response r = api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=true");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().get("error").asText()).isEqualTo("timeout");
        api.node.setStalledProofs(false);
        assertThat(api.get("/v1/accounts/" + ALICE_ADDRESS.toHex() + "?proof=true").status()).isEqualTo(200);
    }

    @Test
    void serverKeepsServingAfterGarbage() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(api.base.getHost(), api.base.getPort())) {
            socket.getOutputStream().write("GARBAGE \u0001\u0002 HTTP/9.9\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            // refused by the HTTP layer (501: unknown method), the connection handled, nothing else touched
            assertThat(answer).matches("HTTP/1\\.1 (400|501)");
        }
        assertThat(api.get("/v1/accounts/%00%01").status()).isEqualTo(400);
        try (java.net.Socket socket = new java.net.Socket(api.base.getHost(), api.base.getPort())) {
            socket.getOutputStream().write("GET /v1/status?%zz=1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertThat(answer).isEqualTo("HTTP/1.1 400");
        }
        assertThat(api.get("/v1/status").status()).isEqualTo(200);
    }
}
