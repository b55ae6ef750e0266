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
import java.util.Comparator;
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
 * bin/bench executor [rounds]: the parallel executor against itself with one executor, on blocks of
 * 10,000 native transfers and of 2,000 token-contract transfers, with 0%, 10% and 50% of the
 * transactions conflicting (they all pay the same hot account / token holder, a dependency chain in block
 * order). Everything the node's executor does is timed: pre-state snapshot, access sets and conflict
 * graph, signature checks, execution, fee credit, receipts and the state root on a scratch tree over the
 * committed RocksDB state. 1 and N executors (N = cores) alternate in the same run; medians are reported.
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
        int cores = Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("bench-executor");
        WasmRuntime wasm = new WasmRuntime(new WasmRuntime.Config(GasSchedule.V1, WasmLimits.DEFAULT, 16,
                Duration.ofSeconds(30), Math.max(2, cores), 256L << 20));
        System.out.println("executor bench: cores=" + cores + ", rounds=" + rounds + ", wasm " + wasm.runtimeDescription()
                + ", load average " + loadAverage());
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

            PooledBlockExecutor one = new PooledBlockExecutor(system.systemActorOf(
                    ExecutorPool.create(new ExecutorPool.Settings(1, 64, 4), ledger, committed), "pool-1",
                    DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER)));
            PooledBlockExecutor many = new PooledBlockExecutor(system.systemActorOf(
                    ExecutorPool.create(new ExecutorPool.Settings(cores, 64, 4), ledger, committed), "pool-" + cores,
                    DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER)));

            double[] speedups = new double[CONFLICT_PERCENTS.length];
            System.out.println();
            System.out.println("| block | conflicts | serial ref ms | 1 executor ms (µs/tx) | " + cores + " executors ms (µs/tx) | speedup (medians) "
                    + "| speedup (best runs) | cores used, " + cores + " executors |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (int c = 0; c < CONFLICT_PERCENTS.length; c++) {
                int pct = CONFLICT_PERCENTS[c];
                Block transfers = transferBlock(b1.id(), senders, pct);
                Block calls = callBlock(b1.id(), senders, token, pct);
                double oneTotal = 0;
                double manyTotal = 0;
                for (Block b : List.of(transfers, calls)) {
                    ExecutedBlock expected = serial.executeNow(b, List.of());
                    long s0 = System.nanoTime();
                    serial.executeNow(b, List.of());
                    double serialMs = (System.nanoTime() - s0) / 1e6;
                    // warm-up of both pools on this block
                    check(expected, run(one, b));
                    check(expected, run(many, b));
                    double[] oneMs = new double[rounds];
                    double[] manyMs = new double[rounds];
                    double[] manyCores = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        long a = System.nanoTime();
                        check(expected, run(one, b));
                        oneMs[r] = (System.nanoTime() - a) / 1e6;
                        long cpu = processCpuNanos();
                        long m = System.nanoTime();
                        check(expected, run(many, b));
                        long wall = System.nanoTime() - m;
                        manyMs[r] = wall / 1e6;
                        manyCores[r] = (processCpuNanos() - cpu) / (double) wall;
                    }
                    double oneMedian = BenchStats.percentile(oneMs, 50);
                    double manyMedian = BenchStats.percentile(manyMs, 50);
                    oneTotal += oneMedian;
                    manyTotal += manyMedian;
                    int n = b.transactions().size();
                    String kind = b == transfers ? n + " transfers" : n + " token calls";
                    System.out.printf(Locale.ROOT, "| %s | %d%% | %.0f | %.0f (%.1f) | %.0f (%.1f) | %.2f | %.2f | %.2f |%n", kind, pct,
                            serialMs, oneMedian, oneMedian * 1000 / n, manyMedian, manyMedian * 1000 / n, oneMedian / manyMedian,
                            BenchStats.percentile(oneMs, 0) / BenchStats.percentile(manyMs, 0), BenchStats.percentile(manyCores, 50));
                }
                speedups[c] = oneTotal / manyTotal;
            }
            System.out.println();
            System.out.println("load average at the end: " + loadAverage());
            System.out.println("cores used = process CPU time / wall time while the " + cores + "-executor pool ran (median)");
            System.out.println("speedup_Xpct = (median 1-executor time of both blocks) / (median " + cores + "-executor time of both blocks)");
            System.out.printf(Locale.ROOT, "RESULT executor speedup_0pct=%.2f speedup_10pct=%.2f speedup_50pct=%.2f cores=%d%n",
                    speedups[0], speedups[1], speedups[2], cores);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            wasm.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
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
