package org.meshchain.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
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
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.chain.StateDelta;

/**
 * {@code bin/bench storage}: synced commit latency of blocks of 1,000 signed transfers (each block
 * also writes the 1,001 account values the transfers change: sender and recipients, as execution
 * would), then point-read latency of account state with 1,000,000 accounts in the store, one
 * consistent view per read (what an API request does). The warm-up blocks load the accounts.
 * Usage: {@code bin/bench storage [DATA_DIR] [ACCOUNTS]} (default: a temp dir under /tmp, 1,000,000).
 */
public final class StorageBench {

    private static final ChainId CHAIN = new ChainId("bench");
    private static final int TXS_PER_BLOCK = 1_000;
    private static final int MEASURED_BLOCKS = 200;
    private static final int WARMUP_BLOCKS = 20;
    private static final int READS = 200_000;

    private StorageBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory(Path.of("/tmp"), "meshchain-bench-storage");
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Ed25519PrivateKey sender = Ed25519PrivateKey.fromSeed(new byte[32]);
        try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            System.out.printf("storage bench: dir=%s, blocks of %d transfers, %d accounts%n", dir, TXS_PER_BLOCK, accounts);
            int totalBlocks = WARMUP_BLOCKS + MEASURED_BLOCKS;
            ChainBuilder builder = new ChainBuilder(sender);

            double[] commitMs = new double[MEASURED_BLOCKS];
            // CPU time of the committing thread (its share of RocksDB's work included, the fsync wait
            // and time spent waiting for a core excluded): what the code costs, apart from the disk and
            // the neighbours on a shared machine
            double[] commitCpuMs = new double[MEASURED_BLOCKS];
            // the disk's own sync latency under the same conditions as the commits (memtable flushes
            // and compactions running, the neighbours' I/O): after every measured commit, one append
            // of a block's size + fdatasync to a file beside the store
            double[] interleavedSyncMs = new double[MEASURED_BLOCKS];
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            int loadPerWarmupBlock = accounts / WARMUP_BLOCKS + 1;
            int nextAccount = 0;
            SplittableRandom touched = new SplittableRandom(7);
            SyncProbe interleavedProbe = null;
            for (int i = 0; i < totalBlocks; i++) {
                // signed just before its commit (not measured), so the heap holds one block, not the chain
                Block block = builder.next();
                if (i == WARMUP_BLOCKS) {
                    interleavedProbe = new SyncProbe(dir.resolve("fsync-probe-interleaved"), DomainCodecs.encode(block).length);
                }
                List<StateDelta.Write> values = new ArrayList<>();
                if (i < WARMUP_BLOCKS) {
                    for (int a = 0; a < loadPerWarmupBlock && nextAccount < accounts; a++, nextAccount++) {
                        values.add(StateDelta.Write.put(StateDelta.Column.VALUES, accountKey(nextAccount), accountValue(nextAccount, i)));
                    }
                } else {
                    for (int a = 0; a <= TXS_PER_BLOCK; a++) {
                        int account = touched.nextInt(accounts);
                        values.add(StateDelta.Write.put(StateDelta.Column.VALUES, accountKey(account), accountValue(account, i)));
                    }
                }
                StateDelta delta = new StateDelta(values);
                List<Bytes> receipts = new ArrayList<>(block.transactions().size());
                for (int t = 0; t < block.transactions().size(); t++) {
                    receipts.add(Bytes.of(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}));
                }
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                store.commitBlock(block, certificate(block), receipts, delta);
                long elapsed = System.nanoTime() - start;
                long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                if (i >= WARMUP_BLOCKS) {
                    commitMs[i - WARMUP_BLOCKS] = elapsed / 1e6;
                    commitCpuMs[i - WARMUP_BLOCKS] = cpu / 1e6;
                    interleavedSyncMs[i - WARMUP_BLOCKS] = interleavedProbe.appendAndSyncMs();
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
            System.out.printf("commit CPU time of the committing thread: p50 %s ms, p99 %s ms%n",
                    BenchStats.format(BenchStats.percentile(commitCpuMs, 50)),
                    BenchStats.format(BenchStats.percentile(commitCpuMs, 99)));
            double commitP50 = BenchStats.percentile(commitMs, 50);
            double commitP99 = BenchStats.percentile(commitMs, 99);
            System.out.printf("commit (synced, 1,000 txs + 1,001 state values per block): p50 %s ms, p99 %s ms, max %s ms%n",
                    BenchStats.format(commitP50), BenchStats.format(commitP99),
                    BenchStats.format(Arrays.stream(commitMs).max().orElse(0)));

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
            if (args.length == 0) {
                deleteRecursively(dir);
            }
        }
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

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
