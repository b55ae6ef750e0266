package org.meshchain.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
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
import org.meshchain.merkle.CommitResult;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.chain.StateDelta;
import org.meshchain.persistence.state.PrecomputedVersion;
import org.meshchain.persistence.state.StateStore;
import org.meshchain.node.execution.ChainStoreCommittedState;
import org.meshchain.node.execution.CommittedState;
import org.meshchain.node.execution.TreeVersions;

/**
 * {@code bin/bench storage}: the node's per-block storage work, measured the way {@code StorageActor}
 * does it, then point reads. Blocks of 1,000 signed transfers whose 1,001 account updates go through
 * the sparse Merkle tree, 1,000,000 accounts (loaded by 20 warm-up blocks, not measured).
 *
 * <p>Per block, as the node since ADR 0057: first what the executor does when it executes the block
 * (not part of the commit figure, printed apart as "execution-side tree update"): the block's state
 * tree version computed in memory on top of the committed tree ({@code TreeVersions.next} over a
 * {@code ChainStoreCommittedState} with the executor's 50,000-node cache, subtrees in parallel on a
 * fork-join pool of one thread per core, as {@code ExecutorPool}). Then the StorageActor's work, the
 * reported commit latency: {@code StateStore.stagePrecomputed} (cheap checks, no tree work) and
 * {@code commitBlock} = ONE synced WriteBatch with the block, header, tx index, receipts, the new tree
 * nodes, the version's stale-node entry, its root, the flat values and the head.
 *
 * <p>Then, as a diagnostic, the fallback the store takes for a block without a precomputed version
 * (after a restart): {@code StateStore.stage} (the tree update on RocksDB, node cache 100,000 as
 * {@code Node} builds it) + {@code commitBlock}, on {@value #FALLBACK_BLOCKS} more blocks. Then
 * point-read latency of account state with all accounts in the store, one consistent view per read
 * (what an API request does).
 * Usage: {@code bin/bench storage [DATA_DIR] [ACCOUNTS] [MEASURED_BLOCKS]} (default: a temp dir under
 * /tmp, 1,000,000, 200).
 */
public final class StorageBench {

    private static final ChainId CHAIN = new ChainId("bench");
    private static final int TXS_PER_BLOCK = 1_000;
    private static final int WARMUP_BLOCKS = 20;
    private static final int READS = 200_000;
    /** What {@code Node} gives its StateStore. */
    private static final int NODE_CACHE_ENTRIES = 100_000;
    /** What the node's executor caches ({@code DefaultExecutors}). */
    private static final int EXECUTOR_NODE_CACHE_ENTRIES = 50_000;
    /** Blocks committed through the store's own tree update (the fallback path), after the measured ones. */
    private static final int FALLBACK_BLOCKS = 30;
    private static final int MAX_VALUE_BYTES = 1 << 20;

    private StorageBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory(Path.of("/tmp"), "meshchain-bench-storage");
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int measuredBlocks = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Ed25519PrivateKey sender = Ed25519PrivateKey.fromSeed(new byte[32]);
        int cores = Runtime.getRuntime().availableProcessors();
        // the executor's pool for the state root's subtrees, sized and split as ExecutorPool does
        ForkJoinPool rootPool = cores > 1 ? new ForkJoinPool(cores) : null;
        int forkDepth = 32 - Integer.numberOfLeadingZeros(Math.max(1, cores) - 1) + 2;
        try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            StateStore state = new StateStore(store, NODE_CACHE_ENTRIES, MAX_VALUE_BYTES);
            ChainStoreCommittedState executorView = new ChainStoreCommittedState(store, EXECUTOR_NODE_CACHE_ENTRIES, MAX_VALUE_BYTES);
            System.out.printf("storage bench: dir=%s, blocks of %d transfers through the state tree, %d accounts, node cache %d%n",
                    dir, TXS_PER_BLOCK, accounts, NODE_CACHE_ENTRIES);
            ChainBuilder builder = new ChainBuilder(sender);

            // wall time of the executor's in-memory tree update (not part of the commit)
            double[] executionTreeMs = new double[measuredBlocks];
            // wall time of stagePrecomputed + commitBlock: what the StorageActor spends on a block
            double[] nodeCommitMs = new double[measuredBlocks];
            // wall time of the synced commitBlock alone (its tree nodes already staged)
            double[] batchCommitMs = new double[measuredBlocks];
            // CPU time of the committing thread (its share of RocksDB's work included, the fsync wait
            // and time spent waiting for a core excluded): what the code costs, apart from the disk and
            // the neighbours on a shared machine
            double[] stageCpuMs = new double[measuredBlocks];
            double[] commitCpuMs = new double[measuredBlocks];
            // the disk's own sync latency under the same conditions as the commits (memtable flushes
            // and compactions running, the neighbours' I/O): after every measured commit, one append
            // of a block's size + fdatasync to a file beside the store
            double[] interleavedSyncMs = new double[measuredBlocks];
            // GC time (all collectors) that fell into each measured commit: the commit thread stops too
            double[] commitGcMs = new double[measuredBlocks];
            List<java.lang.management.GarbageCollectorMXBean> collectors = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans();
            long nodesCreated = 0;
            long nodesMadeStale = 0;
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            int loadPerWarmupBlock = accounts / WARMUP_BLOCKS + 1;
            int nextAccount = 0;
            SplittableRandom touched = new SplittableRandom(7);
            SyncProbe interleavedProbe = null;
            long loadStart = System.nanoTime();
            double[] fallbackCommitMs = new double[FALLBACK_BLOCKS];
            double[] fallbackStageCpuMs = new double[FALLBACK_BLOCKS];
            double[] fallbackCommitCpuMs = new double[FALLBACK_BLOCKS];
            int lastMeasured = WARMUP_BLOCKS + measuredBlocks;
            for (int i = 0; i < lastMeasured + FALLBACK_BLOCKS; i++) {
                // signed just before its commit (not measured), so the heap holds one block, not the chain
                Block block = builder.next();
                if (i == WARMUP_BLOCKS) {
                    System.out.printf("loaded %d accounts in %.1f s%n", accounts, (System.nanoTime() - loadStart) / 1e9);
                    interleavedProbe = new SyncProbe(dir.resolve("fsync-probe-interleaved"), DomainCodecs.encode(block).length);
                }
                TreeMap<Hash32, Bytes> changed = new TreeMap<>();
                if (i < WARMUP_BLOCKS) {
                    for (int a = 0; a < loadPerWarmupBlock && nextAccount < accounts; a++, nextAccount++) {
                        changed.put(Hash32.of(accountKey(nextAccount)), Bytes.of(accountValue(nextAccount, i)));
                    }
                } else {
                    for (int a = 0; a <= TXS_PER_BLOCK; a++) {
                        int account = touched.nextInt(accounts);
                        changed.put(Hash32.of(accountKey(account)), Bytes.of(accountValue(account, i)));
                    }
                }
                List<SmtUpdate> updates = new ArrayList<>(changed.size());
                changed.forEach((path, value) -> updates.add(SmtUpdate.put(path, value)));
                List<Bytes> receipts = new ArrayList<>(block.transactions().size());
                for (int t = 0; t < block.transactions().size(); t++) {
                    receipts.add(Bytes.of(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}));
                }
                boolean fallback = i >= lastMeasured;
                // the executor's side: the block's tree version on the committed tree, in memory
                long executionStart = System.nanoTime();
                PrecomputedVersion version = null;
                if (!fallback) {
                    try (CommittedState.Snapshot snapshot = executorView.open()) {
                        version = TreeVersions.next(snapshot, List.of(), updates, rootPool, forkDepth);
                    }
                }
                long executionEnd = System.nanoTime();

                long gcStart = gcMillis(collectors);
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                Hash32 stagedRoot;
                int created;
                int madeStale;
                if (fallback) {
                    CommitResult staged = state.stage(updates);
                    stagedRoot = staged.root();
                    created = staged.nodesCreated();
                    madeStale = staged.nodesMadeStale();
                } else {
                    if (!state.stagePrecomputed(version, updates)) {
                        throw new IllegalStateException("block " + i + ": the precomputed version was not on the store's latest");
                    }
                    stagedRoot = version.root().hash();
                    created = version.commit().newNodes().size();
                    madeStale = version.commit().staleNodes().size();
                }
                long cpuStaged = threads.getCurrentThreadCpuTime();
                long stagedAt = System.nanoTime();
                QuorumCertificate certificate = new QuorumCertificate(new VoteData(block.id(), block.header().round(),
                        block.header().height(), stagedRoot, Hash32.ZERO), List.of());
                state.commitBlock(block, certificate, receipts);
                long end = System.nanoTime();
                long cpuEnd = threads.getCurrentThreadCpuTime();
                if (fallback) {
                    int f = i - lastMeasured;
                    fallbackCommitMs[f] = (end - start) / 1e6;
                    fallbackStageCpuMs[f] = (cpuStaged - cpuStart) / 1e6;
                    fallbackCommitCpuMs[f] = (cpuEnd - cpuStaged) / 1e6;
                } else if (i >= WARMUP_BLOCKS) {
                    int m = i - WARMUP_BLOCKS;
                    executionTreeMs[m] = (executionEnd - executionStart) / 1e6;
                    nodeCommitMs[m] = (end - start) / 1e6;
                    commitGcMs[m] = gcMillis(collectors) - gcStart;
                    batchCommitMs[m] = (end - stagedAt) / 1e6;
                    stageCpuMs[m] = (cpuStaged - cpuStart) / 1e6;
                    commitCpuMs[m] = (cpuEnd - cpuStaged) / 1e6;
                    interleavedSyncMs[m] = interleavedProbe.appendAndSyncMs();
                    nodesCreated += created;
                    nodesMadeStale += madeStale;
                }
            }
            int blockBytes = DomainCodecs.encode(builder.next()).length;
            double[] fsyncMs = appendAndSyncMs(dir.resolve("fsync-probe"), blockBytes, 200);
            System.out.printf("disk bound in the same run: append %d bytes (one encoded block) + fdatasync: p50 %s ms, p99 %s ms%n",
                    blockBytes, BenchStats.format(BenchStats.percentile(fsyncMs, 50)),
                    BenchStats.format(BenchStats.percentile(fsyncMs, 99)));
            System.out.printf("disk sync interleaved with the commits (append %d bytes + fdatasync after each): p50 %s ms, p99 %s ms%n",
                    interleavedProbe.bytes(), BenchStats.format(BenchStats.percentile(interleavedSyncMs, 50)),
                    BenchStats.format(BenchStats.percentile(interleavedSyncMs, 99)));
            interleavedProbe.close();
            System.out.printf("per block: %d tree nodes created, %d made stale%n", nodesCreated / measuredBlocks,
                    nodesMadeStale / measuredBlocks);
            printPercentiles("execution-side tree update (the executor's in-memory version, " + cores
                    + " threads; not part of the commit) wall", executionTreeMs);
            printPercentiles("stagePrecomputed CPU", stageCpuMs);
            printPercentiles("synced commitBlock CPU (block, tx index, receipts, tree nodes, stale entry, values, head)", commitCpuMs);
            printPercentiles("synced commitBlock wall", batchCommitMs);
            double commitP50 = BenchStats.percentile(nodeCommitMs, 50);
            double commitP99 = BenchStats.percentile(nodeCommitMs, 99);
            System.out.printf("commit as the StorageActor does it (stagePrecomputed + synced commitBlock), wall: p50 %s ms, p99 %s ms, max %s ms%n",
                    BenchStats.format(commitP50), BenchStats.format(commitP99),
                    BenchStats.format(Arrays.stream(nodeCommitMs).max().orElse(0)));
            int withGc = 0;
            List<Double> withoutGc = new ArrayList<>();
            for (int m = 0; m < measuredBlocks; m++) {
                if (commitGcMs[m] > 0) {
                    withGc++;
                } else {
                    withoutGc.add(nodeCommitMs[m]);
                }
            }
            double[] noGc = withoutGc.stream().mapToDouble(Double::doubleValue).toArray();
            System.out.printf("diagnostic: %d of %d commits overlapped a GC pause (GC time in them: %s ms in all); "
                    + "the other commits, wall: p50 %s ms, p99 %s ms%n", withGc, measuredBlocks,
                    BenchStats.format(Arrays.stream(commitGcMs).sum()),
                    BenchStats.format(noGc.length == 0 ? 0 : BenchStats.percentile(noGc, 50)),
                    BenchStats.format(noGc.length == 0 ? 0 : BenchStats.percentile(noGc, 99)));
            long slow = Arrays.stream(nodeCommitMs).filter(ms -> ms > 20).count();
            System.out.printf("diagnostic: %d of %d commits took over 20 ms wall (indexes among the measured blocks: %s)%n", slow,
                    measuredBlocks, java.util.stream.IntStream.range(0, measuredBlocks).filter(m -> nodeCommitMs[m] > 20)
                            .limit(20).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(", ")));
            System.out.printf("diagnostic, fallback without a precomputed version (%d blocks: store's own tree update + synced commitBlock): "
                    + "wall p50 %s ms, p99 %s ms; stage CPU p50 %s ms; commitBlock CPU p50 %s ms%n", FALLBACK_BLOCKS,
                    BenchStats.format(BenchStats.percentile(fallbackCommitMs, 50)),
                    BenchStats.format(BenchStats.percentile(fallbackCommitMs, 99)),
                    BenchStats.format(BenchStats.percentile(fallbackStageCpuMs, 50)),
                    BenchStats.format(BenchStats.percentile(fallbackCommitCpuMs, 50)));

            SplittableRandom random = new SplittableRandom(42);
            double[] readUs = new double[READS];
            for (int i = 0; i < READS + 20_000; i++) {
                int account = random.nextInt(accounts);
                long start = System.nanoTime();
                byte[] value;
                try (ChainView view = store.view()) {
                    value = view.state(StateDelta.Column.VALUES, accountKey(account)).orElseThrow();
                }
                long elapsed = System.nanoTime() - start;
                if (value.length != 16 || ByteBuffer.wrap(value).getLong() != account) {
                    throw new IllegalStateException("account " + account + " read back wrong");
                }
                if (i >= 20_000) {
                    readUs[i - 20_000] = elapsed / 1e3;
                }
            }
            double readP50 = BenchStats.percentile(readUs, 50);
            double readP99 = BenchStats.percentile(readUs, 99);
            System.out.printf("state read (%d random accounts of %d, one snapshot view per read): p50 %s us, p99 %s us%n",
                    READS, accounts, BenchStats.format(readP50), BenchStats.format(readP99));
            System.out.printf("disk usage estimate: %d MiB%n", store.approximateDiskUsage() >> 20);
            System.out.println("RESULT storage commit_p50_ms=" + BenchStats.format(commitP50) + " commit_p99_ms="
                    + BenchStats.format(commitP99) + " read_p50_us=" + BenchStats.format(readP50)
                    + " read_p99_us=" + BenchStats.format(readP99));
        } finally {
            if (rootPool != null) {
                rootPool.shutdownNow();
            }
            if (args.length == 0) {
                BenchFiles.deleteTree(dir);
            }
        }
    }

    private static long gcMillis(List<java.lang.management.GarbageCollectorMXBean> collectors) {
        long total = 0;
        for (java.lang.management.GarbageCollectorMXBean collector : collectors) {
            total += Math.max(0, collector.getCollectionTime());
        }
        return total;
    }

    private static void printPercentiles(String what, double[] samples) {
        System.out.printf("%s: p50 %s ms, p99 %s ms%n", what, BenchStats.format(BenchStats.percentile(samples, 50)),
                BenchStats.format(BenchStats.percentile(samples, 99)));
    }

    /** Signs the chain's blocks one at a time: 1,000 transfers each, nonces continuing across blocks. */
    private static final class ChainBuilder {
        private final Ed25519PrivateKey sender;
        private final Address from;
        private Hash32 parent = Hash32.ZERO;
        private long nonce;
        private int height;

        ChainBuilder(Ed25519PrivateKey sender) {
            this.sender = sender;
            this.from = Address.of(sender.publicKey());
        }

        Block next() {
            List<SignedTransaction> txs = new ArrayList<>(TXS_PER_BLOCK);
            for (int t = 0; t < TXS_PER_BLOCK; t++) {
                Address to = new Address(Hashing.sha256(accountKey(height * TXS_PER_BLOCK + t)));
                txs.add(SignedTransaction.sign(new TransactionBody(CHAIN, from, nonce++, 1, 1_000_000,
                        new Payload.Transfer(to, 5)), sender));
            }
            QuorumCertificate justify = new QuorumCertificate(
                    new VoteData(parent, Math.max(0, height - 1), Math.max(0, height - 1), Hash32.ZERO, Hash32.ZERO), List.of());
            Block block = new Block(new BlockHeader(CHAIN, height, height, parent, 1_700_000_000_000L + height, from,
                    TxRoot.of(txs), justify, null), txs);
            parent = block.id();
            height++;
            return block;
        }
    }

    /** Appends {@code bytes} to a file and fdatasyncs it, one sample per call. */
    private static final class SyncProbe implements AutoCloseable {
        private final Path file;
        private final java.nio.channels.FileChannel channel;
        private final ByteBuffer buffer;

        SyncProbe(Path file, int bytes) throws IOException {
            this.file = file;
            this.channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            this.buffer = ByteBuffer.allocate(bytes);
        }

        int bytes() {
            return buffer.capacity();
        }

        double appendAndSyncMs() throws IOException {
            buffer.clear();
            long start = System.nanoTime();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
            return (System.nanoTime() - start) / 1e6;
        }

        @Override
        public void close() throws IOException {
            channel.close();
            Files.delete(file);
        }
    }

    /** Latencies of appending {@code bytes} to a file and fdatasync-ing it, {@code count} times. */
    private static double[] appendAndSyncMs(Path file, int bytes, int count) throws IOException {
        double[] samples = new double[count];
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(bytes);
            for (int i = 0; i < count; i++) {
                buffer.clear();
                long start = System.nanoTime();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
                samples[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Files.delete(file);
        return samples;
    }

    private static QuorumCertificate certificate(Block block) {
        return new QuorumCertificate(new VoteData(block.id(), block.header().round(), block.header().height(),
                Hash32.ZERO, Hash32.ZERO), List.of());
    }

    private static byte[] accountKey(int account) {
        return Hashing.tagged("Account", ByteBuffer.allocate(4).putInt(account).array()).toByteArray();
    }

    private static byte[] accountValue(int account, int height) {
        return ByteBuffer.allocate(16).putLong(account).putLong(height).array();
    }

}
