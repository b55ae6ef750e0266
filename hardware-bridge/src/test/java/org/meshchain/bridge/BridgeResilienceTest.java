package org.meshchain.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.ChainMessages;
import org.meshchain.bridge.protocol.DeviceTopics.Inbound;
import org.meshchain.bridge.protocol.LightClient;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.bridge.testing.BridgeFixtureTest;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.bridge.testing.RawDevice;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.port.CertifiedHeader;

/** Restarts: the bridge's (replays still rejected), the broker's (the bridge resumes; the node never waits). */
class BridgeResilienceTest extends BridgeFixtureTest {

    private RawDevice connect(int i) {
        return new RawDevice(fixture.broker().port(), fixture.topics(), Address.of(fixture.device(i).publicKey()));
    }

    /** Device 0's first frame (counter 1, nonce 0): a transfer of 1 to device 1. */
    private void sendFirstTransfer(RawDevice device) {
        device.publish(Inbound.TX, BridgeFixture.transferFrame(fixture.device(0), 1, 0,
                Address.of(fixture.device(1).publicKey()), 1).encode());
    }

    @Test
    void replayedFramesAreRejectedAfterTheBridgeRestarts() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        // snapshot every 2 journal writes: recovery goes through snapshot + deleted events
        fixture = new BridgeFixture(dir, 2, 2, "meshchain.bridge.counter-snapshot-every = 2", 50);
        fixture.startBridge();
        Ed25519PrivateKey key = fixture.device(0);
        Address to = Address.of(fixture.device(1).publicKey());
        byte[][] frames = new byte[5][];
        try (RawDevice device = connect(0)) {
            for (int i = 0; i < 5; i++) {
                frames[i] = BridgeFixture.transferFrame(key, 10 + i, i, to, 1).encode();
                device.publish(Inbound.TX, frames[i]);
                assertThat(device.nextNonCommittedReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
            }
        }
        fixture.stopBridge();
        fixture.startBridge();
        assertThat(fixture.readCounter(Address.of(key.publicKey()))).isEqualTo(14L);
        try (RawDevice device = connect(0)) {
            for (byte[] frame : frames) {
                device.publish(Inbound.TX, frame);
                BridgeReply reply = device.nextNonCommittedReply(15);
                assertThat(reply.code()).isEqualTo(ReplyCode.REPLAY);
                assertThat(reply.detail()).contains("14");
            }
            device.publish(Inbound.TX, BridgeFixture.transferFrame(key, 15, 5, to, 1).encode());
            assertThat(device.nextNonCommittedReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
        }
        assertThat(fixture.node().admitted()).filteredOn(t -> t.body().sender().equals(Address.of(key.publicKey()))).hasSize(6);
    }

    @Test
    void bridgeResumesAfterTheBrokerRestartsAndTheNodeNeverWaits() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 2, 2, "", 50);
        fixture.startBridge();
        Ed25519PrivateKey key = fixture.device(0);
        Address to = Address.of(fixture.device(1).publicKey());
        try (RawDevice device = connect(0)) {
            device.publish(Inbound.TX, BridgeFixture.transferFrame(key, 1, 0, to, 1).encode());
            assertThat(device.nextNonCommittedReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
        }
        fixture.broker().stop();
        // while the broker is down the node keeps committing (another client's transactions)
        long heightBefore = fixture.node().status().committedHeight();
        fixture.register(java.util.List.of(BridgeFixture.deviceKey(50)));
        assertThat(fixture.node().status().committedHeight()).isGreaterThan(heightBefore);
        assertThat(fixture.bridge().connected()).isFalse();
        Thread.sleep(1500);
        fixture.broker().restart();
        fixture.awaitConnected(Duration.ofSeconds(30));
        try (RawDevice device = connect(0)) {
            device.publish(Inbound.TX, BridgeFixture.transferFrame(key, 2, 1, to, 1).encode());
            assertThat(device.nextNonCommittedReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.COMMITTED);
        }
        assertThat(fixture.node().metrics().counter("meshchain_bridge_broker_disconnects_total", "").value()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void mosquittoSubSeesTheRetainedCertifiedHeader() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 1, 2, "", 50);
        fixture.startBridge();
        // one commit after the bridge is up, so a header is published
        fixture.register(java.util.List.of(fixture.device(1)));
        long committed = fixture.node().status().committedHeight();
        Thread.sleep(300);
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(),
                "-t", fixture.topics().headers(), "-C", "1", "-W", "10", "-F", "%x").redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sub.getInputStream().transferTo(out);
        assertThat(sub.waitFor(15, TimeUnit.SECONDS)).isTrue();
        String hex = out.toString(StandardCharsets.US_ASCII).trim();
        CertifiedHeader header = ChainMessages.decodeHeader(HexFormat.of().parseHex(hex), DomainCodecs.DEFAULT);
        assertThat(header.header().height()).isEqualTo(committed);
        assertThat(new LightClient(BridgeFixture.CHAIN, fixture.node().validatorSet()).checkHeader(header))
                .isEqualTo(LightClient.HeaderCheck.TRUSTED);
    }

    @Test
    void committedIsSentEvenWhenTheBlockCommitsBeforeTheAdmissionAnswerArrives() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 2, 2, "", 50);
        // the node answers a submission only once the transaction is committed: the commit reaches the bridge first
        fixture.wrapServices(node -> new org.meshchain.bridge.testing.DelegatingServices(node) {
            @Override
            public java.util.concurrent.CompletionStage<org.meshchain.node.port.SubmitOutcome> submitTransaction(
                    org.meshchain.core.types.SignedTransaction tx) {
                return delegate.submitTransaction(tx).thenApplyAsync(outcome -> {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (fixture.node().committedHeight(tx.id()).isEmpty() && System.nanoTime() < deadline) {
                        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000); // and the commit message is in
                    return outcome;
                });
            }
        });
        fixture.startBridge();
        try (RawDevice device = connect(0)) {
            sendFirstTransfer(device);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.COMMITTED);
        }
    }

    /** The node refuses a submission as busy {@code busyAnswers} times, then passes it on. */
    private void nodeBusyFor(int busyAnswers, java.util.concurrent.atomic.AtomicInteger offers) {
        fixture.wrapServices(node -> new org.meshchain.bridge.testing.DelegatingServices(node) {
            @Override
            public java.util.concurrent.CompletionStage<org.meshchain.node.port.SubmitOutcome> submitTransaction(
                    org.meshchain.core.types.SignedTransaction tx) {
                if (offers.incrementAndGet() <= busyAnswers) {
                    return java.util.concurrent.CompletableFuture.completedFuture(
                            new org.meshchain.node.port.SubmitOutcome.Rejected(tx.id(),
                                    new org.meshchain.core.mempool.MempoolRejection.Busy(2000)));
                }
                return delegate.submitTransaction(tx);
            }
        });
    }

    @Test
    void aFrameTheNodeIsTooBusyForIsOfferedAgainAndCommits() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 2, 2, "", 50);
        java.util.concurrent.atomic.AtomicInteger offers = new java.util.concurrent.atomic.AtomicInteger();
        nodeBusyFor(5, offers);
        fixture.startBridge();
        try (RawDevice device = connect(0)) {
            sendFirstTransfer(device);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.COMMITTED);
        }
        assertThat(offers.get()).isEqualTo(6);
    }

    @Test
    void submissionsBeyondTheWindowWaitTheirTurnInArrivalOrder() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 2, 2, "meshchain.bridge.max-submissions-in-flight = 2", 50);
        java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger mostOutstanding = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Long> offeredNonces = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        // the node answers each submission 100 ms late, so frames pile up behind the window
        fixture.wrapServices(node -> new org.meshchain.bridge.testing.DelegatingServices(node) {
            @Override
            public java.util.concurrent.CompletionStage<org.meshchain.node.port.SubmitOutcome> submitTransaction(
                    org.meshchain.core.types.SignedTransaction tx) {
                mostOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                offeredNonces.add(tx.body().nonce());
                return java.util.concurrent.CompletableFuture.supplyAsync(() -> null,
                                java.util.concurrent.CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> delegate.submitTransaction(tx))
                        .whenComplete((outcome, failure) -> outstanding.decrementAndGet());
            }
        });
        fixture.startBridge();
        int frames = 6;
        try (RawDevice device = connect(0)) {
            for (int i = 0; i < frames; i++) {
                device.publish(Inbound.TX, BridgeFixture.transferFrame(fixture.device(0), i + 1, i,
                        Address.of(fixture.device(1).publicKey()), 1).encode());
            }
            int accepted = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (accepted < frames && System.nanoTime() < deadline) {
                if (device.nextReply(15).code() == ReplyCode.ACCEPTED) {
                    accepted++;
                }
            }
            assertThat(accepted).isEqualTo(frames);
        }
        assertThat(mostOutstanding.get()).isEqualTo(2);
        assertThat(offeredNonces).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(fixture.node().metrics().render()).contains("\nmeshchain_bridge_frames_busy_resubmits_total 0\n");
    }

    @Test
    void aNodeThatStaysBusyGetsTheDeviceUnavailableAndFreesTheSlot() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 2, 2, "", 50);
        java.util.concurrent.atomic.AtomicInteger offers = new java.util.concurrent.atomic.AtomicInteger();
        nodeBusyFor(Integer.MAX_VALUE, offers);
        fixture.startBridge();
        try (RawDevice device = connect(0)) {
            sendFirstTransfer(device);
            var reply = device.nextReply(15);
            assertThat(reply.code()).isEqualTo(ReplyCode.UNAVAILABLE);
            assertThat(reply.detail()).contains("submission limit");
        }
        assertThat(offers.get()).isEqualTo(80);
        assertThat(fixture.node().metrics().render()).contains("\nmeshchain_bridge_frames_in_flight 0\n");
    }

    @Test
    void mqtt5SessionWorksToo() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 2, 2, "meshchain.bridge.mqtt-version = \"5\"", 50);
        fixture.startBridge();
        try (RawDevice device = connect(0)) {
            sendFirstTransfer(device);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(device.nextReply(15).code()).isEqualTo(ReplyCode.COMMITTED);
        }
    }
}
