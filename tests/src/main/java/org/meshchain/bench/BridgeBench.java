package org.meshchain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.meshchain.bridge.micronode.Micronode;
import org.meshchain.bridge.micronode.MicronodeConfig;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.types.Address;
import org.meshchain.persistence.testing.FreePorts;

/**
 * {@code bin/bench bridge}: N simulated micronodes (default 1,000, one MQTT connection each) against a
 * real Mosquitto, the hardware bridge, and a node. The node is, by {@code --node}:
 * <ul>
 *   <li>{@code devnet} (default): real validators in this JVM, as {@code bin/meshchain devnet} runs them
 *       (consensus rounds with their timers, parallel executor, RocksDB commits, Artery between
 *       validators), {@code --validators N} of them, 1 by default; the bridge runs on validator 0;</li>
 *   <li>{@code cluster}: the same with 4 validators (on this 2-core machine the 4 validators verify
 *       every signature four times and share the cores with the bridge, Mosquitto and the devices);</li>
 *   <li>{@code honest}: HonestNode, a single-process stand-in on disk (real mempool, ledger rules and
 *       synced RocksDB commits, QC signed by 3 of 4 keys; no consensus round), for the bridge alone.</li>
 * </ul>
 * Every device pre-signs its frames (half reports, half transfers; signing is the device's cost, not
 * the bridge's), then sends them keeping at most {@code --window} unanswered frames. Measured: frames
 * the bridge ACCEPTED per second (first send to last ACCEPTED reply) and the device-side latency from
 * publishing a frame to receiving its COMMITTED reply (p50/p99). Options: {@code --devices N
 * --frames-per-device K --window W --node devnet|cluster|honest --validators N --block-ms MS (honest)}.
 */
public final class BridgeBench {

    public static void main(String[] args) throws Exception {
        int devices = 1000;
        int framesPerDevice = 20;
        int window = 4;
        long blockMs = 100;
        boolean followHeaders = false;
        String target = "devnet";
        Integer validatorOption = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(value);
                case "--frames-per-device" -> framesPerDevice = Integer.parseInt(value);
                case "--window" -> window = Integer.parseInt(value);
                case "--block-ms" -> blockMs = Long.parseLong(value);
                case "--follow-headers" -> followHeaders = Boolean.parseBoolean(value);
                case "--node" -> target = value;
                case "--validators" -> validatorOption = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--devices N --frames-per-device K --window W --block-ms MS --follow-headers true|false --node devnet|cluster|honest --validators N)");
            }
        }
        if (!target.equals("devnet") && !target.equals("cluster") && !target.equals("honest")) {
            throw new IllegalArgumentException("--node must be devnet, cluster or honest, got '" + target + "'");
        }
        // devnet: real validators in this JVM (1 unless --validators); cluster: the same with 4
        int validatorCount = validatorOption != null ? validatorOption : target.equals("cluster") ? 4 : 1;
        if (validatorCount < 1 || validatorCount > 7) {
            throw new IllegalArgumentException("--validators must be 1..7, got " + validatorCount);
        }
        if (!org.meshchain.bridge.testing.MosquittoBroker.installed()) {
            System.err.println("bridge bench: mosquitto is not installed (run .ci/setup)");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("bridge-bench");
        System.out.printf("bridge bench: %d devices, %d frames each (window %d), node: %s%s, devices follow headers: %s, data in %s%n",
                devices, framesPerDevice, window, target, target.equals("honest") ? " (block interval " + blockMs + " ms)"
                        : " (" + validatorCount + " validators in this JVM)", followHeaders, dir);
        // the bench measures the bridge, not the per-device limiter: buckets are sized above the offered load
        String overrides = """
                meshchain.bridge.rate.frames-per-second = 1000
                meshchain.bridge.rate.burst = 1000
                """;
        long setupStart = System.nanoTime();
        try (Setup setup = !target.equals("honest") ? Setup.cluster(dir, devices, overrides, validatorCount) : Setup.honest(dir, devices, overrides, blockMs)) {
            List<Ed25519PublicKey> validators = setup.validators;
            List<Micronode> nodes = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                Ed25519PrivateKey key = setup.devices.get(i);
                nodes.add(Micronode.start(MicronodeConfig.of(setup.chain, Address.of(key.publicKey()).toHex(),
                        key.publicKey(), setup.brokerUrl, dir.resolve("flash/" + i), validators, 0, 1, 1000, 8, 16,
                        framesPerDevice + 16).withFollowHeaders(followHeaders), key));
            }
            System.out.printf("set-up: %d devices registered, connected in %.1f s%n", devices, (System.nanoTime() - setupStart) / 1e9);

            Round warm = round(nodes, 2, window, setup.height);
            System.out.printf("warm-up: %d frames, %d accepted, %.0f frames/s%n", warm.sent, warm.accepted.sum(), warm.acceptedPerSecond());
            Round timed = round(nodes, framesPerDevice, window, setup.height);
            double[] latencies = timed.commitLatenciesMs();
            double p50 = latencies.length == 0 ? Double.NaN : BenchStats.percentile(latencies, 50);
            double p99 = latencies.length == 0 ? Double.NaN : BenchStats.percentile(latencies, 99);
            System.out.printf("timed: %d frames sent, %d accepted in %.2f s = %.0f frames/s accepted%n",
                    timed.sent, timed.accepted.sum(), timed.acceptSeconds(), timed.acceptedPerSecond());
            System.out.printf("       %d committed; device-submit-to-commit p50 %s ms, p99 %s ms, max %s ms%n", latencies.length,
                    BenchStats.format(p50), BenchStats.format(p99),
                    latencies.length == 0 ? "NaN" : BenchStats.format(BenchStats.percentile(latencies, 100)));
            double[] accepts = timed.acceptLatenciesMs();
            if (accepts.length > 0) {
                System.out.printf("       device-submit-to-ACCEPTED reply p50 %s ms, p99 %s ms%n",
                        BenchStats.format(BenchStats.percentile(accepts, 50)), BenchStats.format(BenchStats.percentile(accepts, 99)));
            }
            System.out.println("       replies by code: " + timed.codes + (timed.details.isEmpty() ? "" : " e.g. " + timed.details));
            System.out.println("       bridge metrics: " + setup.metrics.get().lines()
                    .filter(l -> l.startsWith("meshchain_bridge_frames") && !l.startsWith("#")).toList());
            System.out.println("       committed height: " + setup.height.getAsLong());
            for (Micronode node : nodes) {
                node.close();
            }
            System.out.printf("RESULT bridge frames_per_s=%.0f p99_commit_ms=%.0f%n", timed.acceptedPerSecond(), p99);
        } finally {
            BenchFiles.deleteTree(dir);
        }
        System.exit(0);
    }

    /** What the devices talk to: a broker, a bridge, and a chain behind it (the honest node or the real cluster). */
    /** Node 0's status line (cluster mode), shown while waiting for commits. */
    private static final java.util.concurrent.atomic.AtomicReference<java.util.function.Supplier<String>> STATUS =
            new java.util.concurrent.atomic.AtomicReference<>();

    private static final class Setup implements AutoCloseable {
        String chain;
        String brokerUrl;
        List<Ed25519PublicKey> validators;
        List<Ed25519PrivateKey> devices;
        java.util.function.Supplier<String> metrics;
        java.util.function.LongSupplier height;
        final List<AutoCloseable> closeables = new ArrayList<>();

        static Setup honest(Path dir, int devices, String overrides, long blockMs) throws Exception {
            BridgeFixture fixture = new BridgeFixture(dir.resolve("fixture"), devices, devices, overrides, blockMs);
            Setup s = new Setup();
            s.closeables.add(fixture);
            fixture.startBridge();
            s.chain = BridgeFixture.CHAIN.value();
            s.brokerUrl = fixture.broker().url();
            s.validators = fixture.node().validatorKeys().stream().map(Ed25519PrivateKey::publicKey).toList();
            s.devices = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                s.devices.add(fixture.device(i));
            }
            s.metrics = () -> fixture.node().metrics().render();
            s.height = () -> fixture.node().status().committedHeight();
            return s;
        }

        /** Four validators in this JVM (Pekko cluster on loopback, RocksDB), the bridge on validator 0. */
        static Setup cluster(Path dir, int devices, String overrides, int validatorCount) throws Exception {
            Setup s = new Setup();
            Files.createDirectories(dir.resolve("broker"));
            org.meshchain.bridge.testing.MosquittoBroker broker = org.meshchain.bridge.testing.MosquittoBroker.start(dir.resolve("broker"));
            s.closeables.add(broker);
            org.meshchain.bridge.HardwareBridge bridge = org.meshchain.bridge.HardwareBridge.fromConfig(
                    com.typesafe.config.ConfigFactory.parseString("meshchain.bridge.broker-url = \"" + broker.url() + "\"\n" + overrides)
                            .withFallback(com.typesafe.config.ConfigFactory.defaultReference()).resolve());
            int owners = Math.max(1, devices / 100);
            org.meshchain.node.devnet.Devnet devnet = org.meshchain.node.devnet.Devnet.prepare(new org.meshchain.node.devnet.Devnet.Layout(
                    dir.resolve("devnet"), validatorCount, owners, "127.0.0.1", FreePorts.consecutive(validatorCount)), i -> null);
            s.closeables.add(0, devnet);
            devnet.startAll(org.meshchain.node.DefaultExecutors.factory(),
                    i -> i == 0 ? List.<org.meshchain.node.port.NodeExtension>of(bridge) : List.of(),
                    org.meshchain.node.peers.InboundInspector.NONE);
            org.meshchain.node.port.NodeServices node0 = devnet.node(0).services();
            s.chain = node0.chainId().value();
            s.brokerUrl = broker.url();
            s.validators = devnet.validatorKeys().stream().map(Ed25519PrivateKey::publicKey).toList();
            s.devices = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                s.devices.add(org.meshchain.bridge.micronode.DeviceFleet.deviceKey("bridge-bench", i));
            }
            s.metrics = () -> node0.metrics().render();
            s.height = () -> node0.status().committedHeight();
            STATUS.set(() -> node0.status() + " " + node0.metrics().render().lines()
                    .filter(l -> !l.startsWith("#") && (l.contains("timeout") || l.contains("round") || l.contains("mempool")))
                    .toList());
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!bridge.connected() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // each owner (a funded demo account) funds and registers its share, 30 devices (60 nonces) at a time
            List<Thread> workers = new ArrayList<>();
            List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int o = 0; o < owners; o++) {
                Ed25519PrivateKey owner = devnet.demoKeys().get(o);
                List<Ed25519PrivateKey> share = new ArrayList<>();
                for (int i = o; i < devices; i += owners) {
                    share.add(s.devices.get(i));
                }
                Thread t = new Thread(() -> {
                    try {
                        enroll(node0, owner, share);
                    } catch (Exception e) {
                        failures.add(e);
                    }
                });
                t.start();
                workers.add(t);
            }
            for (Thread t : workers) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            return s;
        }

        private static void enroll(org.meshchain.node.port.NodeServices node, Ed25519PrivateKey owner, List<Ed25519PrivateKey> devices)
                throws Exception {
            org.meshchain.core.types.ChainId chain = node.chainId();
            Address ownerAddress = Address.of(owner.publicKey());
            long nonce = 0;
            for (int from = 0; from < devices.size(); from += 30) {
                List<Ed25519PrivateKey> chunk = devices.subList(from, Math.min(devices.size(), from + 30));
                for (Ed25519PrivateKey device : chunk) {
                    for (org.meshchain.core.types.Payload payload : List.of(
                            new org.meshchain.core.types.Payload.Transfer(Address.of(device.publicKey()), 10_000_000),
                            new org.meshchain.core.types.Payload.RegisterDevice(device.publicKey(), ownerAddress, 1_000))) {
                        var tx = org.meshchain.core.types.SignedTransaction.sign(new org.meshchain.core.types.TransactionBody(chain,
                                ownerAddress, nonce++, 1, 1_000_000_000L, payload), owner);
                        var outcome = node.submitTransaction(tx).toCompletableFuture().get(30, TimeUnit.SECONDS);
                        if (!(outcome instanceof org.meshchain.node.port.SubmitOutcome.Accepted)) {
                            throw new IllegalStateException("enrolment refused: " + outcome);
                        }
                    }
                }
                long deadline = System.nanoTime() + 120_000_000_000L;
                for (Ed25519PrivateKey device : chunk) {
                    while (node.readState(org.meshchain.core.state.StatePaths.device(Address.of(device.publicKey()))).isEmpty()) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("registration not committed within 120 s");
                        }
                        Thread.sleep(50);
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : closeables) {
                c.close();
            }
        }
    }

    private static final class Round {
        final long sent;
        final LongAdder accepted = new LongAdder();
        final Map<ReplyCode, LongAdder> counts = new ConcurrentHashMap<>();
        final Map<ReplyCode, Long> codes = new EnumMap<>(ReplyCode.class);
        final long[] latencyNanos;
        final AtomicLong committedIndex = new AtomicLong();
        final AtomicLong acceptedIndex = new AtomicLong();
        final long[] acceptNanos;
        final List<String> details = java.util.Collections.synchronizedList(new ArrayList<>());
        long startNanos;
        final AtomicLong lastAcceptNanos = new AtomicLong();

        Round(long frames) {
            this.sent = frames;
            this.latencyNanos = new long[(int) frames];
            this.acceptNanos = new long[(int) frames];
        }

        double acceptSeconds() {
            return (lastAcceptNanos.get() - startNanos) / 1e9;
        }

        double acceptedPerSecond() {
            return accepted.sum() / Math.max(1e-9, acceptSeconds());
        }

        double[] acceptLatenciesMs() {
            int n = (int) Math.min(acceptedIndex.get(), acceptNanos.length);
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                ms[i] = acceptNanos[i] / 1e6;
            }
            return ms;
        }

        double[] commitLatenciesMs() {
            int n = (int) Math.min(committedIndex.get(), latencyNanos.length);
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                ms[i] = latencyNanos[i] / 1e6;
            }
            return ms;
        }
    }

    /** Every device sends {@code frames} pre-signed frames, at most {@code window} unanswered at a time. */
    private static Round round(List<Micronode> nodes, int frames, int window, java.util.function.LongSupplier height) throws Exception {
        List<List<Micronode.Prepared>> prepared = new ArrayList<>();
        for (int d = 0; d < nodes.size(); d++) {
            Micronode node = nodes.get(d);
            List<Micronode.Prepared> list = new ArrayList<>();
            for (int f = 0; f < frames; f++) {
                list.add(f % 2 == 0 ? node.prepareReport(new byte[] {(byte) f, 1, 2, 3})
                        : node.prepareTransfer(nodes.get((d + 1) % nodes.size()).address(), 1));
            }
            prepared.add(list);
        }
        Round round = new Round((long) frames * nodes.size());
        CountDownLatch answered = new CountDownLatch((int) round.sent);
        CountDownLatch committed = new CountDownLatch((int) round.sent);
        round.startNanos = System.nanoTime();
        for (int d = 0; d < nodes.size(); d++) {
            int device = d;
            AtomicLong next = new AtomicLong();
            for (int w = 0; w < Math.min(window, frames); w++) {
                sendNext(nodes.get(device), prepared.get(device), next, round, answered, committed);
            }
        }
        if (!answered.await(300, TimeUnit.SECONDS)) {
            System.out.println("warning: " + answered.getCount() + " frames never answered within 300 s");
        }
        for (int waited = 0; !committed.await(10, TimeUnit.SECONDS); waited += 10) {
            System.out.println("  ... " + committed.getCount() + " accepted frames not committed yet, committed height "
                    + height.getAsLong() + (STATUS.get() == null ? "" : "; node 0: " + STATUS.get().get()));
            if (waited >= 110) {
                System.out.println("warning: " + committed.getCount() + " accepted frames not committed within 120 s");
                break;
            }
        }
        round.counts.forEach((code, n) -> round.codes.put(code, n.sum()));
        return round;
    }

    private static void sendNext(Micronode node, List<Micronode.Prepared> frames, AtomicLong next, Round round,
            CountDownLatch answered, CountDownLatch committed) {
        int index = (int) next.getAndIncrement();
        if (index >= frames.size()) {
            return;
        }
        long sentAt = System.nanoTime();
        var futures = node.send(frames.get(index));
        futures[0].whenComplete((reply, failure) -> {
            ReplyCode code = reply == null ? ReplyCode.UNAVAILABLE : reply.code();
            round.counts.computeIfAbsent(code == ReplyCode.COMMITTED ? ReplyCode.ACCEPTED : code, c -> new LongAdder()).increment();
            if (code == ReplyCode.ACCEPTED || code == ReplyCode.COMMITTED) {
                long slot = round.acceptedIndex.getAndIncrement();
                if (slot < round.acceptNanos.length) {
                    round.acceptNanos[(int) slot] = System.nanoTime() - sentAt;
                }
                round.accepted.increment();
                round.lastAcceptNanos.accumulateAndGet(System.nanoTime(), Math::max);
            } else {
                committed.countDown(); // a rejected frame will never commit
                if (round.details.size() < 5) {
                    round.details.add(code + " " + (reply == null ? String.valueOf(failure) : reply.detail()));
                }
            }
            answered.countDown();
            sendNext(node, frames, next, round, answered, committed);
        });
        futures[1].whenComplete((reply, failure) -> {
            if (reply != null && reply.code() == ReplyCode.COMMITTED) {
                long slot = round.committedIndex.getAndIncrement();
                if (slot < round.latencyNanos.length) {
                    round.latencyNanos[(int) slot] = System.nanoTime() - sentAt;
                }
                committed.countDown();
            }
        });
    }


}
