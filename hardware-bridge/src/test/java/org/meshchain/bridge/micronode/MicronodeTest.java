package org.meshchain.bridge.micronode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.LightClient;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.bridge.testing.BridgeFixtureTest;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.node.port.CertifiedHeader;

/** The micronode simulator against the real bridge, broker and honest node. */
class MicronodeTest extends BridgeFixtureTest {

    static MicronodeConfig config(BridgeFixture fixture, Ed25519PrivateKey key, String broker, Path data) {
        List<Ed25519PublicKey> validators = fixture.node().validatorKeys().stream().map(Ed25519PrivateKey::publicKey).toList();
        return MicronodeConfig.of(BridgeFixture.CHAIN.value(), Address.of(key.publicKey()).toHex(), key.publicKey(), broker,
                data, validators, 0, 1, 1000, 4, 16, 1000);
    }

    @Test
    void configErrorsAreClear() {
        Ed25519PrivateKey key = BridgeFixture.deviceKey(0);
        String id = Address.of(key.publicKey()).toHex();
        List<Ed25519PublicKey> validators = List.of(BridgeFixture.deviceKey(9).publicKey());
        assertThatThrownBy(() -> MicronodeConfig.of("c", id, key.publicKey(), "tcp://h:1", dir, validators, -1, 1, 1000, 4, 4, 4))
                .hasMessage("micronode.stake = -1: must not be negative");
        assertThatThrownBy(() -> MicronodeConfig.of("c", id, key.publicKey(), "tcp://h:1", dir, validators, 0, 1, 0, 4, 4, 4))
                .hasMessage("micronode.report-interval-ms = 0: must be greater than zero");
        assertThatThrownBy(() -> MicronodeConfig.of("c", "xyz", key.publicKey(), "tcp://h:1", dir, validators, 0, 1, 1, 4, 4, 4))
                .hasMessageContaining("micronode.device-id = xyz");
        String otherId = Address.of(BridgeFixture.deviceKey(1).publicKey()).toHex();
        assertThatThrownBy(() -> MicronodeConfig.of("c", otherId, key.publicKey(), "tcp://h:1", dir, validators, 0, 1, 1, 4, 4, 4))
                .hasMessageContaining("is not the address of the device key");
        assertThatThrownBy(() -> MicronodeConfig.of("Bad Chain", id, key.publicKey(), "tcp://h:1", dir, validators, 0, 1, 1, 4, 4, 4))
                .hasMessageContaining("micronode.chain-id");
        assertThatThrownBy(() -> MicronodeConfig.of("c", id, key.publicKey(), "http://h:1", dir, validators, 0, 1, 1, 4, 4, 4))
                .hasMessageContaining("micronode.broker");
        assertThatThrownBy(() -> MicronodeConfig.of("c", id, key.publicKey(), "tcp://h:1", dir, List.of(), 0, 1, 1, 4, 4, 4))
                .hasMessageContaining("micronode.validators");
    }

    @Test
    void deviceSubmitsVerifiesAndSurvivesItsOwnRestart() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir.resolve("f"), 2, 2, "", 50);
        fixture.startBridge();
        Ed25519PrivateKey key = fixture.device(0);
        Address to = Address.of(fixture.device(1).publicKey());
        Path data = dir.resolve("device0");
        long lastCounter;
        try (Micronode node = Micronode.start(config(fixture, key, fixture.broker().url(), data), key)) {
            AccountState account = node.syncAccount();
            assertThat(account.balance()).isEqualTo(BridgeFixture.DEVICE_FUNDS);
            assertThat(node.storedAccount()).contains(account);
            List<Long> counters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Micronode.Prepared prepared = i == 1 ? node.prepareReport(new byte[] {(byte) i}) : node.prepareTransfer(to, 5);
                counters.add(prepared.counter());
                var futures = node.send(prepared);
                assertThat(futures[0].get(15, TimeUnit.SECONDS).code()).isEqualTo(ReplyCode.ACCEPTED);
                BridgeReply committed = futures[1].get(15, TimeUnit.SECONDS);
                assertThat(committed.code()).isEqualTo(ReplyCode.COMMITTED);
                assertThat(fixture.node().receipt(prepared.transactionId().orElseThrow())).contains("ok");
            }
            // the retained header after the last commit reached the device and verified
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (node.trustedHeight() < fixture.node().status().committedHeight() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(node.trustedHeight()).isEqualTo(fixture.node().status().committedHeight());
            assertThat(node.health().ok()).isTrue();
            lastCounter = counters.get(2);
        }
        // restart on the same flash: counters never go back, the trusted header is still there
        try (Micronode node = Micronode.start(config(fixture, key, fixture.broker().url(), data), key)) {
            assertThat(node.trustedHeader()).isPresent();
            node.syncAccount();
            Micronode.Prepared next = node.prepareTransfer(to, 1);
            assertThat(next.counter()).isGreaterThan(lastCounter);
            assertThat(node.send(next)[0].get(15, TimeUnit.SECONDS).code()).isEqualTo(ReplyCode.ACCEPTED);
        }
    }

    @Test
    void startUpRollsBackWhenTheBrokerIsUnreachableAndHealthNeverThrows() throws Exception {
        Ed25519PrivateKey key = BridgeFixture.deviceKey(0);
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        List<Ed25519PublicKey> validators = List.of(BridgeFixture.deviceKey(9).publicKey());
        MicronodeConfig config = MicronodeConfig.of("c", Address.of(key.publicKey()).toHex(), key.publicKey(),
                "tcp://127.0.0.1:" + deadPort, dir, validators, 0, 1, 1000, 4, 4, 4);
        assertThatThrownBy(() -> Micronode.start(config, key)).isInstanceOf(IOException.class)
                .hasMessageContaining("could not reach the broker");
        // the lock was released: the directory can be taken again (and fails the same clean way)
        assertThatThrownBy(() -> Micronode.start(config, key)).isInstanceOf(IOException.class)
                .hasMessageContaining("could not reach the broker");
    }

    @Test
    void aDataDirectoryIsNeverSharedAndHealthNeverThrowsAfterClose() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir.resolve("f"), 1, 1, "", 50);
        fixture.startBridge();
        Ed25519PrivateKey key = fixture.device(0);
        Path data = dir.resolve("device0");
        Micronode node = Micronode.start(config(fixture, key, fixture.broker().url(), data), key);
        try {
            assertThatThrownBy(() -> Micronode.start(config(fixture, key, fixture.broker().url(), data), key))
                    .hasMessageContaining("in use by another micronode");
        } finally {
            node.close();
        }
        Micronode.Health after = node.health();
        assertThat(after.ok()).isFalse();
        fixture.broker().stop();
        assertThat(node.health()).isNotNull();
    }

    @Test
    void forgedHeadersAreNotTrusted() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir.resolve("f"), 1, 1, "", 50);
        CertifiedHeader real = fixture.node().latestCertifiedHeader().orElseThrow();
        LightClient client = new LightClient(BridgeFixture.CHAIN, fixture.node().validatorSet());
        assertThat(client.checkHeader(real)).isEqualTo(LightClient.HeaderCheck.TRUSTED);
        QuorumCertificate qc = real.certificate();
        // two signatures: below 2f+1 = 3
        QuorumCertificate few = new QuorumCertificate(qc.voteData(), qc.signatures().subList(0, 2));
        assertThat(client.checkHeader(new CertifiedHeader(real.header(), few))).isEqualTo(LightClient.HeaderCheck.TOO_FEW_SIGNATURES);
        // a signature by a key outside the validator set
        Ed25519PrivateKey stranger = BridgeFixture.deviceKey(77);
        List<ValidatorSignature> sigs = new ArrayList<>(qc.signatures().subList(0, 2));
        sigs.add(new ValidatorSignature(Address.of(stranger.publicKey()), Ed25519.sign(stranger, qc.voteData().signingHash())));
        sigs.sort(null);
        assertThat(client.checkHeader(new CertifiedHeader(real.header(), new QuorumCertificate(qc.voteData(), sigs))))
                .isEqualTo(LightClient.HeaderCheck.UNKNOWN_SIGNER);
        // a validator's signature over other data
        List<ValidatorSignature> wrong = new ArrayList<>(qc.signatures());
        ValidatorSignature first = wrong.get(0);
        wrong.set(0, new ValidatorSignature(first.validator(), qc.signatures().get(1).signature()));
        assertThat(client.checkHeader(new CertifiedHeader(real.header(), new QuorumCertificate(qc.voteData(), wrong))))
                .isEqualTo(LightClient.HeaderCheck.BAD_SIGNATURE);
    }
}
