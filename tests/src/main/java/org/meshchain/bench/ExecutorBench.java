package org.meshchain.bench;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.VoteData;
import org.meshchain.node.execution.ChainStoreCommittedState;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.execution.ExecutionMetrics;
import org.meshchain.node.metrics.Metrics;
import org.meshchain.node.execution.ExecutorPool;
import org.meshchain.node.execution.GenesisState;
import org.meshchain.node.execution.PooledBlockExecutor;
import org.meshchain.node.execution.SerialBlockExecutor;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.state.StateStore;
import org.meshchain.wasm.GasSchedule;
import org.meshchain.wasm.WasmContractRuntime;
import org.meshchain.wasm.WasmLimits;
import org.meshchain.wasm.WasmRuntime;

/**
 * bin/bench executor [rounds] [warm-up rounds]: the parallel executor against itself with one executor, on blocks of
 * 10,000 native transfers and of 2,000 token-contract transfers, with 0%, 10% and 50% of the
 * transactions conflicting (they all pay the same hot account / token holder, a dependency chain in block
 * order). Everything the node's executor does is timed: pre-state snapshot, access sets and conflict
 * graph, signature checks, execution, fee credit, receipts and the state root on a scratch tree over the
 * committed RocksDB state. First every block runs warm-up-rounds times (default 3) on the serial executor and
 * on both pools, untimed, so the JIT has compiled the steady-state code; then 1 and N executors (N = cores)
 * alternate in the same run; medians are reported.
 * The serial reference executor is timed once per block for comparison. Every parallel result is checked
 * equal to the serial one.
 */
public final class ExecutorBench {

    static final ChainId CHAIN = new ChainId("bench-exec");
    static final int TRANSFERS = 10_000;
    static final int CALLS = 2_000;
    static final int[] CONFLICT_PERCENTS = {0, 10, 50};

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmupRounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (rounds < 1 || warmupRounds < 0) {
            throw new IllegalArgumentException("usage: bin/bench executor [rounds >= 1] [warm-up rounds >= 0]");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("bench-executor");
        WasmRuntime wasm = new WasmRuntime(new WasmRuntime.Config(GasSchedule.V1, WasmLimits.DEFAULT, 16,
                Duration.ofSeconds(30), Math.max(2, cores), 256L << 20));
        System.out.println("executor bench: cores=" + cores + ", rounds=" + rounds + ", warm-up rounds=" + warmupRounds + ", wasm "
                + wasm.runtimeDescription() + ", load average " + loadAverage());
        System.out.println("JVM: " + Runtime.version() + ", GC " + JitAndGc.collectorNames() + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, flags " + java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getInputArguments().stream().filter(a -> !a.startsWith("--upgrade-module-path")).toList());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench",
                ExecutorPool.dispatcherConfig(Math.max(cores, 1)).withFallback(ConfigFactory.load()));
        try (ChainStore chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            StateStore state = new StateStore(chain, 100_000, 512 * 1024);
            ChainStoreCommittedState committed = new ChainStoreCommittedState(chain, 200_000, 512 * 1024);
            Ledger ledger = new Ledger(Ledger.Config.of(CHAIN), new WasmContractRuntime(wasm));
            SerialBlockExecutor serial = new SerialBlockExecutor(ledger, committed, Runnable::run);

            long t0 = System.nanoTime();
            List<Ed25519PrivateKey> senders = new ArrayList<>(TRANSFERS);
            List<GenesisState.Allocation> genesis = new ArrayList<>();
            for (int i = 0; i < TRANSFERS; i++) {
                senders.add(key(i));
                genesis.add(new GenesisState.Allocation(Address.of(senders.get(i).publicKey()), 1_000_000_000L));
            }
            Block g = block(0, Hash32.ZERO, List.of());
            Hash32 root = state.stage(GenesisState.updates(genesis)).root();
            state.commitBlock(g, qc(g, root), List.of());

            // block 1: deploy the token, initialise it, mint to the first CALLS senders
            Ed25519PrivateKey owner = senders.get(0);
            Address token = Ledger.contractAddress(Address.of(owner.publicKey()), 0);
            Bytes o = Bytes.of(new byte[] {'o'});
            List<SignedTransaction> setup = new ArrayList<>();
            setup.add(tx(owner, 0, new Payload.Deploy(contract("token.wasm"))));
            setup.add(tx(owner, 1, new Payload.Call(token, "init", Bytes.EMPTY, 1_000_000, new Payload.AccessSet(List.of(), List.of(o)))));
            for (int i = 0; i < CALLS; i++) {
                Address holder = Address.of(senders.get(i).publicKey());
                setup.add(tx(owner, 2 + i, new Payload.Call(token, "mint", tokenArgs(holder, 1_000_000), 1_000_000,
                        new Payload.AccessSet(List.of(o), List.of(balanceKey(holder))))));
            }
            Block b1 = block(1, g.id(), setup);
            ExecutedBlock e1 = serial.executeNow(b1, List.of());
            for (Bytes r : e1.receipts()) {
                if (!Receipt.decode(r).succeeded()) {
                    throw new IllegalStateException("setup transaction failed: " + Receipt.decode(r));
                }
            }
            state.stage(e1.stateUpdates());
            state.commitBlock(b1, qc(b1, e1.stateRoot()), e1.receipts());
            System.out.printf(Locale.ROOT, "setup: %,d funded accounts, token deployed and minted to %,d holders (%.1f s)%n",
                    TRANSFERS, CALLS, (System.nanoTime() - t0) / 1e9);

            ExecutionMetrics oneMetrics = new ExecutionMetrics(new Metrics(), 1);
            ExecutionMetrics manyMetrics = new ExecutionMetrics(new Metrics(), cores);
            PooledBlockExecutor one = new PooledBlockExecutor(system.systemActorOf(
                    ExecutorPool.create(new ExecutorPool.Settings(1, 64, 4), ledger, committed, oneMetrics), "pool-1",
                    DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER)));
            PooledBlockExecutor many = new PooledBlockExecutor(system.systemActorOf(
                    ExecutorPool.create(new ExecutorPool.Settings(cores, 64, 4), ledger, committed, manyMetrics), "pool-" + cores,
                    DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER)));

            // all six blocks, built once
            List<Block> blocks = new ArrayList<>();
            for (int pct : CONFLICT_PERCENTS) {
                blocks.add(transferBlock(b1.id(), senders, pct));
                blocks.add(callBlock(b1.id(), senders, token, pct));
            }
            List<ExecutedBlock> expected = new ArrayList<>();
            for (Block b : blocks) {
                expected.add(serial.executeNow(b, List.of()));
            }
            // Warm-up: every block on the serial executor and on both pools, warmupRounds times, before anything is
            // timed, so the JIT (HotSpot C2 and the Truffle compiler for the contract) has compiled the steady-state
            // code and its compiler threads no longer compete for the cores during the timed runs.
            long w0 = System.nanoTime();
            JitAndGc warmupCost = JitAndGc.now();
            for (int w = 0; w < warmupRounds; w++) {
                for (int k = 0; k < blocks.size(); k++) {
                    check(expected.get(k), serial.executeNow(blocks.get(k), List.of()));
                    check(expected.get(k), run(one, blocks.get(k)));
                    check(expected.get(k), run(many, blocks.get(k)));
                }
            }
            JitAndGc warmedUp = JitAndGc.now();
            System.out.printf(Locale.ROOT, "warm-up: %d rounds of all %d blocks on the serial executor and both pools (%.1f s; %s)%n",
                    warmupRounds, blocks.size(), (System.nanoTime() - w0) / 1e9, warmedUp.since(warmupCost));

            double[] speedups = new double[CONFLICT_PERCENTS.length];
            List<String> phaseRows = new ArrayList<>();
            System.out.println();
            System.out.println("| block | conflicts | serial ref ms | 1 executor ms (µs/tx) | " + cores + " executors ms (µs/tx) | speedup (medians) "
                    + "| speedup (best runs) | cores used, 1 executor | cores used, " + cores + " executors | CPU ms per block, 1 / " + cores
                    + " executors |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            for (int c = 0; c < CONFLICT_PERCENTS.length; c++) {
                int pct = CONFLICT_PERCENTS[c];
                double oneTotal = 0;
                double manyTotal = 0;
                for (int kind = 0; kind < 2; kind++) {
                    Block b = blocks.get(2 * c + kind);
                    ExecutedBlock want = expected.get(2 * c + kind);
                    long s0 = System.nanoTime();
                    check(want, serial.executeNow(b, List.of()));
                    double serialMs = (System.nanoTime() - s0) / 1e6;
                    double[] onePhases0 = phases(oneMetrics);
                    double[] manyPhases0 = phases(manyMetrics);
                    double[] oneMs = new double[rounds];
                    double[] manyMs = new double[rounds];
                    double[] oneCores = new double[rounds];
                    double[] manyCores = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        long cpu = processCpuNanos();
                        long a = System.nanoTime();
                        check(want, run(one, b));
                        long wall = System.nanoTime() - a;
                        oneMs[r] = wall / 1e6;
                        oneCores[r] = (processCpuNanos() - cpu) / (double) wall;
                        cpu = processCpuNanos();
                        long m = System.nanoTime();
                        check(want, run(many, b));
                        wall = System.nanoTime() - m;
                        manyMs[r] = wall / 1e6;
                        manyCores[r] = (processCpuNanos() - cpu) / (double) wall;
                    }
                    double[] onePhases = minus(phases(oneMetrics), onePhases0, rounds);
                    double[] manyPhases = minus(phases(manyMetrics), manyPhases0, rounds);
                    // model: the N-executor pool's serial phases as measured, the parallel ones (prepare, run) as the
                    // 1-executor pool's divided by N
                    double oneTotalMs = java.util.Arrays.stream(onePhases).sum();
                    double modelMs = manyPhases[0] + manyPhases[2] + manyPhases[4] + (onePhases[1] + onePhases[3]) / cores;
                    phaseRows.add(String.format(Locale.ROOT, "| %s | %d%% | %s | %s | %.1f%% | %.2f |",
                            kind == 0 ? b.transactions().size() + " transfers" : b.transactions().size() + " token calls", pct,
                            formatPhases(onePhases), formatPhases(manyPhases),
                            100 * (manyPhases[0] + manyPhases[2] + manyPhases[4]) / oneTotalMs, oneTotalMs / modelMs));
                    double oneMedian = BenchStats.percentile(oneMs, 50);
                    double manyMedian = BenchStats.percentile(manyMs, 50);
                    oneTotal += oneMedian;
                    manyTotal += manyMedian;
                    int n = b.transactions().size();
                    String label = kind == 0 ? n + " transfers" : n + " token calls";
                    double[] oneCpuMs = new double[rounds];
                    double[] manyCpuMs = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        oneCpuMs[r] = oneMs[r] * oneCores[r];
                        manyCpuMs[r] = manyMs[r] * manyCores[r];
                    }
                    System.out.printf(Locale.ROOT, "| %s | %d%% | %.0f | %.0f (%.1f) | %.0f (%.1f) | %.2f | %.2f | %.2f | %.2f | %.0f / %.0f |%n", label, pct,
                            serialMs, oneMedian, oneMedian * 1000 / n, manyMedian, manyMedian * 1000 / n, oneMedian / manyMedian,
                            BenchStats.percentile(oneMs, 0) / BenchStats.percentile(manyMs, 0), BenchStats.percentile(oneCores, 50),
                            BenchStats.percentile(manyCores, 50), BenchStats.percentile(oneCpuMs, 50), BenchStats.percentile(manyCpuMs, 50));
                }
                speedups[c] = oneTotal / manyTotal;
            }
            JitAndGc timed = JitAndGc.now();
            System.out.println();
            System.out.println("Phases (mean wall ms per block over the timed rounds: open / prepare / schedule / run / finish; prepare and run "
                    + "are parallel, the rest serial apart from the state root's subtrees):");
            System.out.println();
            System.out.println("| block | conflicts | 1 executor | " + cores + " executors | serial phases of " + cores + " executors, share of "
                    + "1 executor's time | model speedup, " + cores + " cores free |");
            System.out.println("|---|---|---|---|---|---|");
            phaseRows.forEach(System.out::println);
            System.out.println();
            System.out.println("during the timed runs: " + timed.since(warmedUp));
            System.out.println();
            System.out.println("load average at the end: " + loadAverage());
            System.out.println("cores used = process CPU time / wall time while the pool ran (median); CPU ms per block = process CPU time "
                    + "while the pool ran (median): equal figures mean the " + cores + " executors do no extra work, whatever the load");
            System.out.println("speedup_Xpct = (median 1-executor time of both blocks) / (median " + cores + "-executor time of both blocks)");
            System.out.printf(Locale.ROOT, "RESULT executor speedup_0pct=%.2f speedup_10pct=%.2f speedup_50pct=%.2f cores=%d%n",
                    speedups[0], speedups[1], speedups[2], cores);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            wasm.close();
            BenchFiles.deleteTree(dir);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * HotSpot's JIT time and the collectors' totals. (Truffle's compilations are not in HotSpot's figure, and a
     * ThreadMXBean meter on the Truffle compiler threads read zero in this benchmark while jcmd showed them
     * working; check when the contract is compiled with
     * {@code JAVA_OPTS="-Dpolyglot.engine.TraceCompilation=true -Dpolyglot.log.file=FILE"}.)
     */
    record JitAndGc(long hotspotJitMillis, long gcCount, long gcMillis) {
        static JitAndGc now() {
            long count = 0;
            long millis = 0;
            for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            long jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
            return new JitAndGc(jitMillis, count, millis);
        }

        String since(JitAndGc earlier) {
            return String.format(Locale.ROOT, "HotSpot JIT compiled for %.2f s, %d GCs paused %d ms",
                    (hotspotJitMillis - earlier.hotspotJitMillis) / 1e3, gcCount - earlier.gcCount, gcMillis - earlier.gcMillis);
        }

        static List<String> collectorNames() {
            return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(java.lang.management.GarbageCollectorMXBean::getName).toList();
        }
    }

    static double[] phases(ExecutionMetrics metrics) {
        double[] ms = new double[ExecutionMetrics.PHASES.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = metrics.phaseSeconds(ExecutionMetrics.PHASES.get(i)) * 1000;
        }
        return ms;
    }

    static double[] minus(double[] after, double[] before, int blocks) {
        double[] d = new double[after.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (after[i] - before[i]) / blocks;
        }
        return d;
    }

    static String formatPhases(double[] ms) {
        StringBuilder out = new StringBuilder();
        for (double m : ms) {
            out.append(out.isEmpty() ? "" : " / ").append(String.format(Locale.ROOT, "%.1f", m));
        }
        return out.toString();
    }

    static ExecutedBlock run(PooledBlockExecutor executor, Block block) throws Exception {
        return executor.execute(block, List.of()).toCompletableFuture().get(10, TimeUnit.MINUTES);
    }

    static void check(ExecutedBlock expected, ExecutedBlock actual) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException("parallel result differs from serial for block " + expected.height());
        }
    }

    /** Sender i pays a fresh recipient, or the hot account for the conflicting share (evenly spread). */
    static Block transferBlock(Hash32 parent, List<Ed25519PrivateKey> senders, int conflictPercent) {
        Address hot = new Address(org.meshchain.core.crypto.Hashing.sha256("hot".getBytes()));
        List<SignedTransaction> txs = new ArrayList<>(TRANSFERS);
        for (int i = 0; i < TRANSFERS; i++) {
            Ed25519PrivateKey sender = senders.get(i);
            long nonce = i == 0 ? 2 + CALLS : 0;
            Address to = conflicting(i, conflictPercent) ? hot
                    : new Address(org.meshchain.core.crypto.Hashing.sha256(("fresh" + i).getBytes()));
            txs.add(tx(sender, nonce, new Payload.Transfer(to, 1 + i % 100)));
        }
        return block(2, parent, txs);
    }

    static Block callBlock(Hash32 parent, List<Ed25519PrivateKey> senders, Address token, int conflictPercent) {
        Address hot = new Address(org.meshchain.core.crypto.Hashing.sha256("hot".getBytes()));
        List<SignedTransaction> txs = new ArrayList<>(CALLS);
        for (int i = 0; i < CALLS; i++) {
            Ed25519PrivateKey sender = senders.get(i);
            Address from = Address.of(sender.publicKey());
            long nonce = i == 0 ? 2 + CALLS : 0;
            Address to = conflicting(i, conflictPercent) ? hot
                    : new Address(org.meshchain.core.crypto.Hashing.sha256(("fresh" + i).getBytes()));
            List<Bytes> writes = new ArrayList<>(List.of(balanceKey(from), balanceKey(to)));
            writes.sort(null);
            txs.add(tx(sender, nonce, new Payload.Call(token, "transfer", tokenArgs(to, 1 + i % 100), 1_000_000,
                    new Payload.AccessSet(List.of(), writes))));
        }
        return block(2, parent, txs);
    }

    static boolean conflicting(int i, int percent) {
        return percent > 0 && (i * percent) / 100 != ((i + 1) * percent) / 100;
    }

    static Ed25519PrivateKey key(int i) {
        byte[] seed = new byte[32];
        ByteBuffer.wrap(seed).putInt(i).putInt(0x6d657368);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    static SignedTransaction tx(Ed25519PrivateKey sender, long nonce, Payload payload) {
        return SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(sender.publicKey()), nonce, 1, 1_000_000, payload), sender);
    }

    static Block block(long height, Hash32 parent, List<SignedTransaction> txs) {
        QuorumCertificate justify = new QuorumCertificate(new VoteData(parent, Math.max(0, height - 1), Math.max(0, height - 1),
                Hash32.ZERO, Hash32.ZERO), List.of());
        return new Block(new BlockHeader(CHAIN, height, height, parent, 1_700_000_000_000L + height, Address.of(key(-1).publicKey()),
                TxRoot.of(txs), justify, null), txs);
    }

    static QuorumCertificate qc(Block block, Hash32 stateRoot) {
        return new QuorumCertificate(new VoteData(block.id(), block.header().round(), block.header().height(), stateRoot, Hash32.ZERO),
                List.of());
    }

    static Bytes balanceKey(Address a) {
        byte[] k = new byte[33];
        k[0] = 'b';
        a.hash().copyTo(k, 1);
        return Bytes.of(k);
    }

    static Bytes tokenArgs(Address to, long amount) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.put(to.hash().toByteArray()).putLong(amount);
        return Bytes.of(b.array());
    }

    static Bytes contract(String name) throws IOException {
        try (InputStream in = ExecutorBench.class.getResourceAsStream("/org/meshchain/wasm/contracts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("contract " + name + " not on the class path");
            }
            return Bytes.of(in.readAllBytes());
        }
    }

}
