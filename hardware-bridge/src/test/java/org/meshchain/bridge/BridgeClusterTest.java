package org.meshchain.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.bridge.micronode.DeviceFleet;
import org.meshchain.bridge.micronode.Micronode;
import org.meshchain.bridge.micronode.MicronodeConfig;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.bridge.protocol.LightClient;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.bridge.testing.RawDevice;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.DefaultExecutors;
import org.meshchain.node.Node;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.testing.FreePorts;

/**
 * End to end with the real validator cluster: four validators in this JVM (Pekko cluster on loopback,
 * RocksDB on disk, real consensus and execution), the bridge as validator 0's node extension, a real
 * Mosquitto, and simulated micronodes. Devices are registered on chain, submit transfers and reports
 * that all commit on every validator, follow certified headers and verify proofs of their accounts;
 * a replayed frame is rejected.
 */
class BridgeClusterTest {

    @TempDir
    Path dir;

    @Test
    void devicesTransactThroughTheBridgeOnARealCluster() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        Files.createDirectories(dir.resolve("broker"));
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"))) {
            HardwareBridge bridge = HardwareBridge.fromConfig(ConfigFactory.parseString(
                    "meshchain.bridge.broker-url = \"" + broker.url() + "\"\nmeshchain.bridge.reconnect.max-delay = 1s")
                    .withFallback(ConfigFactory.defaultReference()).resolve());
            Devnet devnet = Devnet.prepare(new Devnet.Layout(dir.resolve("devnet"), 4, 1, "127.0.0.1", FreePorts.consecutive(4)), i -> null);
            int apiPort = FreePorts.consecutive(1);
            try (devnet) {
                // validator 0 runs the bridge and the API server, which serves the bridge's device directory
                devnet.startAll(DefaultExecutors.factory(), i -> i == 0
                        ? List.<NodeExtension>of(org.meshchain.node.api.ApiServer.extension(
                                org.meshchain.node.api.ApiConfig.defaults("127.0.0.1", apiPort),
                                java.util.Optional.of(bridge.directory())), bridge)
                        : List.of(), InboundInspector.NONE);
                NodeServices node0 = devnet.node(0).services();
                ChainId chain = node0.chainId();
                await("the bridge connects", 60, bridge::connected);

                // the owner (a funded demo account) funds and registers three devices
                Ed25519PrivateKey owner = devnet.demoKeys().get(0);
                Address ownerAddress = Address.of(owner.publicKey());
                List<Ed25519PrivateKey> devices = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    devices.add(DeviceFleet.deviceKey("cluster-test", i));
                }
                long nonce = 0;
                List<SignedTransaction> setup = new ArrayList<>();
                for (Ed25519PrivateKey device : devices) {
                    setup.add(SignedTransaction.sign(new TransactionBody(chain, ownerAddress, nonce++, 10, 1_000_000,
                            new Payload.Transfer(Address.of(device.publicKey()), 1_000_000)), owner));
                    setup.add(SignedTransaction.sign(new TransactionBody(chain, ownerAddress, nonce++, 10, 1_000_000,
                            new Payload.RegisterDevice(device.publicKey(), ownerAddress, 5_000)), owner));
                }
                for (SignedTransaction tx : setup) {
                    SubmitOutcome outcome = node0.submitTransaction(tx).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    assertThat(outcome).as(tx.body().payload().toString()).isInstanceOf(SubmitOutcome.Accepted.class);
                }
                for (Ed25519PrivateKey device : devices) {
                    await("device registered", 60,
                            () -> node0.readState(StatePaths.device(Address.of(device.publicKey()))).isPresent());
                }

                List<Ed25519PublicKey> validators = devnet.validatorKeys().stream().map(Ed25519PrivateKey::publicKey).toList();
                List<Micronode> nodes = new ArrayList<>();
                try {
                    for (int i = 0; i < devices.size(); i++) {
                        Ed25519PrivateKey key = devices.get(i);
                        nodes.add(Micronode.start(MicronodeConfig.of(chain.value(), Address.of(key.publicKey()).toHex(),
                                key.publicKey(), broker.url(), dir.resolve("flash-" + i), validators, 0, 10, 1000, 8, 16, 100), key));
                    }
                    // each device learns its account from a proof it verifies against a certified header
                    for (Micronode device : nodes) {
                        AccountState account = device.syncAccount();
                        assertThat(account.balance()).isEqualTo(1_000_000);
                    }
                    // transfers and reports, all committed
                    List<byte[]> sentFrames = new ArrayList<>();
                    List<org.meshchain.core.crypto.Hash32> txIds = new ArrayList<>();
                    for (int round = 0; round < 2; round++) {
                        for (int i = 0; i < nodes.size(); i++) {
                            Micronode device = nodes.get(i);
                            Micronode.Prepared frame = round == 0
                                    ? device.prepareTransfer(nodes.get((i + 1) % nodes.size()).address(), 100)
                                    : device.prepareReport(new byte[] {(byte) i, 42});
                            sentFrames.add(frame.frame());
                            txIds.add(frame.transactionId().orElseThrow());
                            var replies = device.send(frame);
                            BridgeReply accepted = replies[0].get(30, TimeUnit.SECONDS);
                            assertThat(accepted.code()).as(accepted.detail()).isEqualTo(ReplyCode.ACCEPTED);
                            assertThat(replies[1].get(60, TimeUnit.SECONDS).code()).isEqualTo(ReplyCode.COMMITTED);
                        }
                    }
                    // committed on every validator, not only the bridge's
                    for (Node validator : devnet.running()) {
                        for (int i = 0; i < devices.size(); i++) {
                            Address device = Address.of(devices.get(i).publicKey());
                            int index = i;
                            await("report state on " + validator.validator(), 60, () -> lastCounter(validator.services(), device)
                                    == nodes.get(index).health().lastCounter());
                        }
                        await("balances on " + validator.validator(), 60, () -> balance(validator.services(),
                                Address.of(devices.get(0).publicKey())) == 1_000_000 - 100 + 100 - 20);
                    }
                    // devices follow the chain through verified certified headers
                    long height = node0.status().committedHeight();
                    for (Micronode device : nodes) {
                        await("device header", 60, () -> device.trustedHeight() >= height);
                        assertThat(new LightClient(chain, node0.validatorSet()).checkHeader(device.trustedHeader().orElseThrow()))
                                .isEqualTo(LightClient.HeaderCheck.TRUSTED);
                        assertThat(device.trustedHeader().orElseThrow().certificate().signatures().size())
                                .isGreaterThanOrEqualTo(node0.validatorSet().quorum());
                    }
                    // a replayed frame is rejected
                    DeviceTopics topics = new DeviceTopics(chain);
                    try (RawDevice raw = new RawDevice(broker.port(), topics, Address.of(devices.get(0).publicKey()))) {
                        raw.publish(DeviceTopics.Inbound.TX, sentFrames.get(0));
                        BridgeReply replay = raw.nextReply(30);
                        assertThat(replay.code()).isEqualTo(ReplyCode.REPLAY);
                    }
                    assertThat(bridge.directory().devices()).hasSize(3).allMatch(d -> d.online() && d.framesAccepted() >= 3);
                    // and the API shows them at /v1/devices
                    var http = java.net.http.HttpClient.newHttpClient();
                    String body = http.send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("http://127.0.0.1:" + apiPort + "/v1/devices")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    assertThat(body).contains("\"bridge\":true").contains("\"total\":3")
                            .contains(Address.of(devices.get(0).publicKey()).toHex()).contains("\"online\":true");
                } finally {
                    for (Micronode device : nodes) {
                        device.close();
                    }
                }
            }
        }
    }

    private static long lastCounter(NodeServices services, Address device) {
        try {
            return services.readState(StatePaths.device(device)).map(b -> {
                try {
                    return DeviceRecord.decode(b).lastCounter();
                } catch (Exception e) {
                    return -1L;
                }
            }).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long balance(NodeServices services, Address account) {
        try {
            return services.readState(StatePaths.account(account)).map(b -> {
                try {
                    return AccountState.decode(b).balance();
                } catch (Exception e) {
                    return -1L;
                }
            }).orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
    }

}
