package org.meshchain.bridge.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.meshchain.bridge.HardwareBridge;
import org.meshchain.bridge.HardwareBridgeActor;
import org.meshchain.bridge.protocol.DeviceFrame;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.chain.ChainFixtures;

/**
 * A real Mosquitto, the honest node on disk, and the bridge under an ActorSystem with the RocksDB
 * journal: what the bridge tests and the bridge benchmark run against. The bridge can be stopped and
 * started again on the same journal (a node restart), the broker stopped and restarted.
 */
public final class BridgeFixture implements AutoCloseable {

    public static final ChainId CHAIN = new ChainId("bridge-test");
    public static final long DEVICE_FUNDS = 1_000_000_000L;
    public static final long COLLATERAL = 1_000;

    private final Path dir;
    private final MosquittoBroker broker;
    private final HonestNode node;
    private final Ed25519PrivateKey owner = ChainFixtures.key(7);
    private final List<Ed25519PrivateKey> devices = new ArrayList<>();
    private final String bridgeOverrides;
    private long ownerNonce;
    private ActorSystem<HardwareBridgeActor.Command> system;
    private HardwareBridge bridge;
    private ActorRef<HardwareBridgeActor.Command> bridgeRef;
    private int incarnation;
    private java.util.function.UnaryOperator<org.meshchain.node.port.NodeServices> wrapper = s -> s;

    /** Devices 0..registered-1 are registered and funded; devices registered..total-1 are funded only. */
    public BridgeFixture(Path dir, int registered, int total, String bridgeOverrides, long blockIntervalMs) throws Exception {
        this(dir, registered, total, bridgeOverrides, blockIntervalMs, false);
    }

    /** With {@code secure}, the broker takes only TLS and a username/password, and the bridge is configured for both. */
    public BridgeFixture(Path dir, int registered, int total, String bridgeOverrides, long blockIntervalMs, boolean secure)
            throws Exception {
        this.dir = dir;
        Files.createDirectories(dir.resolve("broker"));
        this.broker = secure ? MosquittoBroker.startSecure(dir.resolve("broker")) : MosquittoBroker.start(dir.resolve("broker"));
        this.bridgeOverrides = (secure ? """
                meshchain.bridge.username = "%s"
                meshchain.bridge.password = "%s"
                meshchain.bridge.tls.trust-store = "%s"
                meshchain.bridge.tls.trust-store-password = "%s"
                """.formatted(MosquittoBroker.USER, MosquittoBroker.PASSWORD, broker.trustStore(),
                MosquittoBroker.TRUST_STORE_PASSWORD) : "") + bridgeOverrides;
        Map<Address, Long> genesis = new HashMap<>();
        genesis.put(Address.of(owner.publicKey()), DEVICE_FUNDS * 10);
        for (int i = 0; i < total; i++) {
            Ed25519PrivateKey key = deviceKey(i);
            devices.add(key);
            genesis.put(Address.of(key.publicKey()), DEVICE_FUNDS);
        }
        this.node = HonestNode.start(dir.resolve("chain"), CHAIN, genesis, blockIntervalMs);
        register(devices.subList(0, registered));
    }

    public static Ed25519PrivateKey deviceKey(int i) {
        // distinct for every i (ChainFixtures.key(n) repeats every 256 and would collide with the owner)
        return org.meshchain.bridge.micronode.DeviceFleet.deviceKey("bridge-fixture", i);
    }

    /** Funds devices from the owner (a transfer each) and registers them; waits until committed. */
    public void enroll(List<Ed25519PrivateKey> keys) throws Exception {
        for (Ed25519PrivateKey key : keys) {
            SignedTransaction tx = SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(owner.publicKey()), ownerNonce++,
                    1, 1_000_000_000L, new Payload.Transfer(Address.of(key.publicKey()), DEVICE_FUNDS / 100)), owner);
            if (!(node.submitTransaction(tx).toCompletableFuture().join() instanceof SubmitOutcome.Accepted)) {
                throw new IllegalStateException("funding refused");
            }
        }
        register(keys);
    }

    /** Registers devices on chain (owner-signed RegisterDevice) and waits until they are committed. */
    public void register(List<Ed25519PrivateKey> keys) throws Exception {
        // in chunks: the pool takes at most 256 nonces ahead of the owner's committed nonce
        for (int from = 0; from < keys.size(); from += 200) {
            registerChunk(keys.subList(from, Math.min(keys.size(), from + 200)));
        }
    }

    private void registerChunk(List<Ed25519PrivateKey> keys) throws Exception {
        List<Hash32> ids = new ArrayList<>();
        for (Ed25519PrivateKey key : keys) {
            SignedTransaction tx = SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(owner.publicKey()), ownerNonce++,
                    1, 1_000_000_000L, new Payload.RegisterDevice(key.publicKey(), Address.of(owner.publicKey()), COLLATERAL)), owner);
            SubmitOutcome outcome = node.submitTransaction(tx).toCompletableFuture().join();
            if (!(outcome instanceof SubmitOutcome.Accepted)) {
                throw new IllegalStateException("registration refused: " + outcome);
            }
            ids.add(tx.id());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; i < ids.size(); i++) {
            while (node.committedHeight(ids.get(i)).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("registrations not committed within 60 s");
                }
                Thread.sleep(10);
            }
            if (node.readState(StatePaths.device(Address.of(keys.get(i).publicKey()))).isEmpty()) {
                throw new IllegalStateException("registration committed but failed: " + node.receipt(ids.get(i)));
            }
        }
    }

    public Config config() {
        return ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.persistence.journal.plugin = "meshchain.persistence.journal"
                pekko.persistence.snapshot-store.plugin = "meshchain.persistence.snapshot-store"
                meshchain.persistence.journal.dir = "%s/journal"
                meshchain.persistence.snapshot-store.dir = "%s/snapshots"
                meshchain.bridge.broker-url = "%s"
                meshchain.bridge.reconnect.initial-delay = 100ms
                meshchain.bridge.reconnect.max-delay = 1s
                %s
                """.formatted(dir, dir, broker.url(), bridgeOverrides)).withFallback(ConfigFactory.load()).resolve();
    }

    /** What the bridge sees of the node, for tests that change its timing (applies from the next start). */
    public void wrapServices(java.util.function.UnaryOperator<org.meshchain.node.port.NodeServices> wrapper) {
        this.wrapper = wrapper;
    }

    /** Starts the bridge without waiting for the broker connection. */
    public void startBridgeNoWait() {
        startSystem();
    }

    /**
     * Starts the bridge (a fresh ActorSystem on the same journal directory), spawned and supervised the
     * way the node spawns an extension, and waits for its broker connection.
     */
    public void startBridge() throws InterruptedException {
        startSystem();
        awaitConnected(Duration.ofSeconds(20));
    }

    private void startSystem() {
        Config config = config();
        bridge = HardwareBridge.fromConfig(config);
        HardwareBridge extension = bridge;
        org.meshchain.node.port.NodeServices services = wrapper.apply(node);
        Behavior<HardwareBridgeActor.Command> guardian = Behaviors.setup(ctx -> {
            ActorRef<HardwareBridgeActor.Command> child = ctx.spawn(Behaviors.supervise(extension.behavior(services))
                    .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)),
                    HardwareBridge.NAME);
            return Behaviors.receiveMessage(message -> {
                child.tell(message);
                return Behaviors.same();
            });
        });
        system = ActorSystem.create(guardian, "bridge-" + (++incarnation), config);
        bridgeRef = system;
    }

    /** The bridge's durable last counter for a device (-1 if none). */
    public long readCounter(Address device) throws Exception {
        return AskPattern.<HardwareBridgeActor.Command, Long>ask(system, replyTo -> new HardwareBridgeActor.ReadCounter(device, replyTo),
                Duration.ofSeconds(10), system.scheduler()).toCompletableFuture().get();
    }

    public void awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!bridge.connected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bridge not connected to the broker within " + timeout);
            }
            Thread.sleep(20);
        }
        // subscriptions are sent right after the connection; give the broker a moment to apply them
        Thread.sleep(200);
    }

    /** Stops the bridge's ActorSystem (as a node shutdown would). */
    public void stopBridge() throws Exception {
        if (system != null) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            system = null;
        }
    }

    public HardwareBridge bridge() {
        return bridge;
    }

    public ActorRef<HardwareBridgeActor.Command> bridgeRef() {
        return bridgeRef;
    }

    public MosquittoBroker broker() {
        return broker;
    }

    public HonestNode node() {
        return node;
    }

    public DeviceTopics topics() {
        return new DeviceTopics(CHAIN);
    }

    public Ed25519PrivateKey device(int i) {
        return devices.get(i);
    }

    public static DeviceFrame transferFrame(Ed25519PrivateKey device, long counter, long nonce, Address to, long amount) {
        SignedTransaction tx = SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(device.publicKey()), nonce, 1,
                1_000_000_000L, new Payload.Transfer(to, amount)), device);
        return DeviceFrame.sign(CHAIN, counter, new DeviceFrame.Transaction(tx), device);
    }

    public static DeviceFrame reportFrame(Ed25519PrivateKey device, long counter, long nonce, byte[] data) {
        Address self = Address.of(device.publicKey());
        SignedTransaction tx = SignedTransaction.sign(new TransactionBody(CHAIN, self, nonce, 1, 1_000_000_000L,
                new Payload.DeviceReport(self, counter, Bytes.of(data))), device);
        return DeviceFrame.sign(CHAIN, counter, new DeviceFrame.Report(tx), device);
    }

    @Override
    public void close() throws Exception {
        stopBridge();
        node.close();
        broker.close();
    }
}
