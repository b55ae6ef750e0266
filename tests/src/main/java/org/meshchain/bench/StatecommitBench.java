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
import java.util.TreeMap;
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
import org.meshchain.merkle.CommitResult;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.state.StateStore;

/**
 * {@code bin/bench statecommit}: what {@code bin/bench storage} leaves out, the state tree. Blocks of
 * 1,000 signed transfers whose 1,001 account updates go through the sparse Merkle tree on RocksDB
 * ({@link StateStore}: stage = the tree update, reading nodes through {@code RocksDbNodeStore};
 * commit = the block's one synced batch with the new and stale nodes, the version root and the
 * flat values). The warm-up blocks load the accounts. Prints CPU time of each part (the committing
 * thread), the wall time of both, and the node writes per block.
 * Usage: {@code bin/bench statecommit [ACCOUNTS] [MEASURED_BLOCKS] [NODE_CACHE_ENTRIES]}
 * (defaults 1,000,000, 50, 100,000).
 */
public final class StatecommitBench {

    private static final ChainId CHAIN = new ChainId("bench");
    private static final int TXS_PER_BLOCK = 1_000;
    private static final int WARMUP_BLOCKS = 20;

    private StatecommitBench() {
    }

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int measuredBlocks = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int nodeCache = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "meshchain-bench-statecommit");
        Ed25519PrivateKey sender = Ed25519PrivateKey.fromSeed(new byte[32]);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            StateStore state = new StateStore(store, nodeCache, 1024);
            System.out.printf("state commit bench: blocks of %d transfers, %d accounts, node cache %d entries%n",
                    TXS_PER_BLOCK, accounts, nodeCache);
            ChainBuilder builder = new ChainBuilder(sender);
            int loadPerWarmupBlock = accounts / WARMUP_BLOCKS + 1;
            int nextAccount = 0;
            SplittableRandom touched = new SplittableRandom(7);
            double[] stageCpuMs = new double[measuredBlocks];
            double[] commitCpuMs = new double[measuredBlocks];
            double[] wallMs = new double[measuredBlocks];
            long nodesCreated = 0;
            long nodesMadeStale = 0;
            long loadStart = System.nanoTime();
            for (int i = 0; i < WARMUP_BLOCKS + measuredBlocks; i++) {
                Block block = builder.next();
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
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                CommitResult staged = state.stage(updates);
                long cpuStaged = threads.getCurrentThreadCpuTime();
                QuorumCertificate certificate = new QuorumCertificate(new VoteData(block.id(), block.header().round(),
                        block.header().height(), staged.root(), Hash32.ZERO), List.of());
                state.commitBlock(block, certificate, receipts);
                long cpuEnd = threads.getCurrentThreadCpuTime();
                long elapsed = System.nanoTime() - start;
                if (i == WARMUP_BLOCKS - 1) {
                    System.out.printf("loaded %d accounts in %.1f s%n", accounts, (System.nanoTime() - loadStart) / 1e9);
                }
                if (i >= WARMUP_BLOCKS) {
                    int m = i - WARMUP_BLOCKS;
                    stageCpuMs[m] = (cpuStaged - cpuStart) / 1e6;
                    commitCpuMs[m] = (cpuEnd - cpuStaged) / 1e6;
                    wallMs[m] = elapsed / 1e6;
                    nodesCreated += staged.nodesCreated();
                    nodesMadeStale += staged.nodesMadeStale();
                }
            }
            System.out.printf("tree update (stage) CPU: p50 %s ms, p99 %s ms%n", BenchStats.format(BenchStats.percentile(stageCpuMs, 50)),
                    BenchStats.format(BenchStats.percentile(stageCpuMs, 99)));
            System.out.printf("synced block commit with the tree's writes, CPU: p50 %s ms, p99 %s ms%n",
                    BenchStats.format(BenchStats.percentile(commitCpuMs, 50)), BenchStats.format(BenchStats.percentile(commitCpuMs, 99)));
            System.out.printf("per block: %d nodes created, %d made stale%n", nodesCreated / measuredBlocks, nodesMadeStale / measuredBlocks);
            double p50 = BenchStats.percentile(wallMs, 50);
            double p99 = BenchStats.percentile(wallMs, 99);
            System.out.printf("stage + commit wall: p50 %s ms, p99 %s ms%n", BenchStats.format(p50), BenchStats.format(p99));
            System.out.println("RESULT statecommit wall_p50_ms=" + BenchStats.format(p50) + " wall_p99_ms=" + BenchStats.format(p99)
                    + " stage_cpu_p50_ms=" + BenchStats.format(BenchStats.percentile(stageCpuMs, 50))
                    + " commit_cpu_p50_ms=" + BenchStats.format(BenchStats.percentile(commitCpuMs, 50))
                    + " nodes_per_block=" + nodesCreated / measuredBlocks);
        } finally {
            deleteRecursively(dir);
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
