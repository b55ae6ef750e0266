package org.meshchain.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.ChainMessages;
import org.meshchain.bridge.protocol.DeviceFrame;
import org.meshchain.bridge.protocol.DeviceTopics.Inbound;
import org.meshchain.bridge.protocol.LightClient;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.bridge.testing.BridgeFixtureTest;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.bridge.testing.RawDevice;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.port.DeviceDirectory;

/**
 * The bridge against a real Mosquitto and the honest on-disk node: every accept and reject reason,
 * commits, proofs, metrics, the device directory.
 */
class BridgeMosquittoTest extends BridgeFixtureTest {

    @BeforeEach
    void start() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        // device 0..2 registered, device 3 funded but never registered
        fixture = new BridgeFixture(dir, 3, 4, "meshchain.bridge.rate.burst = 5\nmeshchain.bridge.rate.frames-per-second = 2", 50);
        fixture.startBridge();
    }

    private RawDevice connect(int i) {
        return new RawDevice(fixture.broker().port(), fixture.topics(), Address.of(fixture.device(i).publicKey()));
    }

    private double rejected(String reason) {
        return fixture.node().metrics().counter("meshchain_bridge_frames_rejected_total", "", "reason").value(reason);
    }

    @Test
    void transferAndReportAreAdmittedThenCommitted() throws Exception {
        Ed25519PrivateKey key = fixture.device(0);
        Address recipient = Address.of(fixture.device(1).publicKey());
        long recipientBefore = fixture.node().account(recipient).balance();
        try (RawDevice device = connect(0)) {
            device.publish(Inbound.TX, BridgeFixture.transferFrame(key, 1, 0, recipient, 250).encode());
            BridgeReply accepted = device.nextReply(10);
            assertThat(accepted.code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(accepted.counter()).isEqualTo(1);
            BridgeReply committed = device.nextReply(10);
            assertThat(committed.code()).isEqualTo(ReplyCode.COMMITTED);
            assertThat(committed.transactionId()).isEqualTo(accepted.transactionId());
            assertThat(fixture.node().receipt(accepted.transactionId().orElseThrow())).contains("ok");
            assertThat(fixture.node().account(recipient).balance()).isEqualTo(recipientBefore + 250);

            device.publish(Inbound.REPORT, BridgeFixture.reportFrame(key, 2, 1, new byte[] {21, 7}).encode());
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.COMMITTED);
            DeviceRecord record = DeviceRecord.decode(fixture.node().readState(StatePaths.device(device.device())).orElseThrow());
            assertThat(record.lastCounter()).isEqualTo(2);
        }
        DeviceDirectory.DeviceStatus status = fixture.bridge().directory().device(Address.of(key.publicKey())).orElseThrow();
        assertThat(status.framesAccepted()).isEqualTo(2);
        assertThat(status.lastCounter()).isEqualTo(2);
        assertThat(fixture.node().metrics().render()).contains("meshchain_bridge_frames_accepted_total 2");
    }

    @Test
    void everyBadFrameIsRejectedWithItsReasonAndCounted() throws Exception {
        Ed25519PrivateKey key = fixture.device(0);
        Address other = Address.of(fixture.device(1).publicKey());
        try (RawDevice device = connect(0); RawDevice unregistered = connect(3)) {
            device.publish(Inbound.TX, new byte[1025]);
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.TOO_LARGE);

            device.publish(Inbound.TX, new byte[] {1, 0, 5});
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.MALFORMED);

            byte[] trailing = java.util.Arrays.copyOf(BridgeFixture.transferFrame(key, 1, 0, other, 1).encode(), 200);
            device.publish(Inbound.TX, java.util.Arrays.copyOf(trailing, BridgeFixture.transferFrame(key, 1, 0, other, 1).encode().length + 1));
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.MALFORMED);

            // a transaction frame on the report topic
            device.publish(Inbound.REPORT, BridgeFixture.transferFrame(key, 1, 0, other, 1).encode());
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.WRONG_TOPIC);

            // signed by device 1 but published on device 0's topic
            device.publish(Inbound.TX, BridgeFixture.transferFrame(fixture.device(1), 1, 0, other, 1).encode());
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.BAD_SIGNATURE);

            unregistered.publish(Inbound.TX, BridgeFixture.transferFrame(fixture.device(3), 1, 0, other, 1).encode());
            assertThat(unregistered.nextReply(10).code()).isEqualTo(ReplyCode.UNREGISTERED);

            // report whose DeviceReport counter differs from the frame counter
            var tx = BridgeFixture.reportFrame(key, 9, 0, new byte[] {1});
            var mismatched = DeviceFrame.sign(BridgeFixture.CHAIN, 10, tx.body(), key);
            device.publish(Inbound.REPORT, mismatched.encode());
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.NOT_OWN_TRANSACTION);

            // a good frame, then the same bytes again
            byte[] good = BridgeFixture.transferFrame(key, 11, 0, other, 1).encode();
            device.publish(Inbound.TX, good);
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.ACCEPTED);
            device.publish(Inbound.TX, good);
            BridgeReply replay = device.nextNonCommittedReply(10);
            assertThat(replay.code()).isEqualTo(ReplyCode.REPLAY);
            assertThat(replay.counter()).isEqualTo(11);

            // a fresh counter but a nonce the chain already used: the mempool says no
            device.publish(Inbound.TX, BridgeFixture.transferFrame(key, 12, 0, other, 1).encode());
            BridgeReply mempool = device.nextNonCommittedReply(10);
            assertThat(mempool.code()).isEqualTo(ReplyCode.MEMPOOL_REJECTED);
        }
        for (ReplyCode code : List.of(ReplyCode.TOO_LARGE, ReplyCode.WRONG_TOPIC, ReplyCode.BAD_SIGNATURE, ReplyCode.UNREGISTERED,
                ReplyCode.NOT_OWN_TRANSACTION, ReplyCode.REPLAY, ReplyCode.MEMPOOL_REJECTED)) {
            assertThat(rejected(code.label())).as(code.label()).isEqualTo(1);
        }
        assertThat(rejected("malformed")).isEqualTo(2);
        // nothing bad reached the chain: one transfer of device 0 was admitted
        assertThat(fixture.node().admitted()).filteredOn(t -> t.body().sender().equals(Address.of(key.publicKey()))).hasSize(1);
    }

    @Test
    void floodingDeviceIsRateLimitedOthersAreNot() throws Exception {
        Ed25519PrivateKey key = fixture.device(1);
        Address to = Address.of(fixture.device(0).publicKey());
        try (RawDevice flooder = connect(1); RawDevice calm = connect(2)) {
            for (int i = 0; i < 20; i++) {
                flooder.publish(Inbound.TX, BridgeFixture.transferFrame(key, i + 1, i, to, 1).encode());
            }
            int accepted = 0;
            int limited = 0;
            for (int i = 0; i < 20; i++) {
                BridgeReply r = flooder.nextNonCommittedReply(10);
                if (r.code() == ReplyCode.ACCEPTED) {
                    accepted++;
                } else if (r.code() == ReplyCode.RATE_LIMITED) {
                    limited++;
                }
            }
            // burst 5 at 2 frames/s: publishing 20 frames takes well under 5 s
            assertThat(accepted).isBetween(5, 9);
            assertThat(limited).isEqualTo(20 - accepted);
            calm.publish(Inbound.TX, BridgeFixture.transferFrame(fixture.device(2), 1, 0, to, 1).encode());
            assertThat(calm.nextReply(10).code()).isEqualTo(ReplyCode.ACCEPTED);
        }
        assertThat(rejected("rate_limited")).isGreaterThanOrEqualTo(11);
    }

    @Test
    void proofRequestIsAnsweredWithAVerifiableProof() throws Exception {
        Ed25519PrivateKey key = fixture.device(0);
        Address self = Address.of(key.publicKey());
        // an account nobody funded: proved absent
        Hash32 absent = StatePaths.account(new Address(Hash32.of(new byte[32])));
        try (RawDevice device = connect(0)) {
            device.publish(Inbound.PROOF_REQUEST, DeviceFrame.sign(BridgeFixture.CHAIN, 1,
                    new DeviceFrame.ProofRequest(List.of(StatePaths.account(self), StatePaths.device(self), absent)), key).encode());
            ChainMessages.ProofReply reply = ChainMessages.ProofReply.decode(device.nextProof(10), DomainCodecs.DEFAULT);
            assertThat(device.nextReply(10).code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(reply.counter()).isEqualTo(1);
            LightClient client = new LightClient(BridgeFixture.CHAIN, fixture.node().validatorSet());
            assertThat(client.checkHeader(reply.header())).isEqualTo(LightClient.HeaderCheck.TRUSTED);
            assertThat(reply.values()).hasSize(3);
            for (ChainMessages.ProvedValue v : reply.values()) {
                assertThat(LightClient.checkValue(reply.header(), v.path(), v.value(), v.proof())).as(v.path().toString()).isTrue();
            }
            AccountState account = AccountState.decode(reply.values().get(0).value().orElseThrow());
            assertThat(account.balance()).isEqualTo(BridgeFixture.DEVICE_FUNDS);
            assertThat(reply.values().get(2).value()).isEmpty();
            // a tampered value does not verify
            ChainMessages.ProvedValue first = reply.values().get(0);
            Bytes forged = new AccountState(account.balance() + 1, account.locked(), account.nextNonce()).encode();
            assertThat(LightClient.checkValue(reply.header(), first.path(), java.util.Optional.of(forged), first.proof())).isFalse();
        }
    }

    @Test
    void devicesStatusComesFromBirthAndLastWill() throws Exception {
        Address device = Address.of(fixture.device(2).publicKey());
        String statusTopic = fixture.topics().inbound(device, Inbound.STATUS);
        // a device as firmware does it: will "0" retained, birth "1" retained, then it dies without DISCONNECT
        Process deviceProcess = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(),
                "-i", "dev2", "-t", fixture.topics().reply(device), "--will-topic", statusTopic, "--will-payload", "0",
                "--will-retain", "--will-qos", "1").redirectErrorStream(true).start();
        try {
            Thread.sleep(300);
            new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(), "-t", statusTopic,
                    "-m", "1", "-r", "-q", "1").start().waitFor();
            awaitStatus(device, true);
            // an unregistered device's birth is ignored, and so is a status that is not '0' or '1'
            Address unregistered = Address.of(fixture.device(3).publicKey());
            new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(), "-t",
                    fixture.topics().inbound(unregistered, Inbound.STATUS), "-m", "1", "-q", "1").start().waitFor();
            new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(), "-t", statusTopic,
                    "-m", "online", "-q", "1").start().waitFor();
            deviceProcess.destroyForcibly().waitFor();
            awaitStatus(device, false);
            assertThat(fixture.bridge().directory().device(unregistered)).isEmpty();
            assertThat(rejected("bad_status")).isEqualTo(1);
        } finally {
            deviceProcess.destroyForcibly();
        }
    }

    private void awaitStatus(Address device, boolean online) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            var status = fixture.bridge().directory().device(device);
            if (status.isPresent() && status.get().online() == online) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("device " + device + " never became " + (online ? "online" : "offline"));
    }

    @Test
    void configErrorsNameKeyValueAndRule() {
        var bad = com.typesafe.config.ConfigFactory.parseString("meshchain.bridge.max-frame-bytes = 10")
                .withFallback(com.typesafe.config.ConfigFactory.load());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BridgeConfig.from(bad))
                .hasMessage("meshchain.bridge.max-frame-bytes = 10: must be in 128..262144");
        var url = com.typesafe.config.ConfigFactory.parseString("meshchain.bridge.broker-url = \"http://x:1\"")
                .withFallback(com.typesafe.config.ConfigFactory.load());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BridgeConfig.from(url))
                .hasMessageContaining("broker-url = \"http://x:1\"").hasMessageContaining("scheme must be tcp");
        var version = com.typesafe.config.ConfigFactory.parseString("meshchain.bridge.mqtt-version = \"4\"")
                .withFallback(com.typesafe.config.ConfigFactory.load());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BridgeConfig.from(version))
                .hasMessageContaining("mqtt-version");
    }
}
