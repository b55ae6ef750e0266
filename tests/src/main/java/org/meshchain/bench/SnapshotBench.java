package org.meshchain.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.VoteData;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.snapshot.SnapshotExporter;
import org.meshchain.persistence.snapshot.SnapshotImporter;
import org.meshchain.persistence.snapshot.SnapshotManifest;
import org.meshchain.persistence.snapshot.SnapshotProgress;
import org.meshchain.persistence.snapshot.SnapshotReader;
import org.meshchain.persistence.state.StateStore;

/**
 * {@code bin/bench snapshot}: a state of N accounts (default 1,000,000; value = balance and nonce,
 * 16 bytes) is exported to a snapshot file and imported into an empty store; prints export and
 * import MB/s of snapshot file, the compression ratio, and the machine's sequential synced write
 * rate measured in the same run, and two floors on this machine: under an export, a bare scan of
 * the state through the export's own iterator; under a verified import, the SHA-256 it needs; per
 * thread and over all cores. Usage: {@code bin/bench snapshot [ACCOUNTS]}.
 */
public final class SnapshotBench {

    private static final ChainId CHAIN = new ChainId("bench");
    private static final int ACCOUNTS_PER_BLOCK = 100_000;

    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path work = Files.createTempDirectory(Path.of("/tmp"), "meshchain-bench-snapshot");
        try {
            double diskMbS = sequentialWriteMbPerSecond(work.resolve("disk-probe"), 512L << 20);
            System.out.printf("sequential synced write: %.1f MB/s%n", diskMbS);

            Path snapshot = work.resolve("state.snap");
            SnapshotManifest manifest;
            long exportNanos;
            long exportCpuNanos;
            long scanNanos;
            try (ChainStore chain = ChainStore.open(work.resolve("source"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                StateStore state = new StateStore(chain, 200_000, 1024);
                System.out.printf("building a state of %,d accounts (not measured)...%n", accounts);
                load(chain, state, accounts);
                long start = System.nanoTime();
                long cpuStart = processCpuNanos();
                manifest = SnapshotExporter.export(chain, state, chain.head().orElseThrow().height(), snapshot, 10_000,
                        SnapshotProgress.NONE);
                exportNanos = System.nanoTime() - start;
                exportCpuNanos = processCpuNanos() - cpuStart;
                scanNanos = bareScanNanos(chain);
            }
            long fileBytes = Files.size(snapshot);
            long raw = manifest.chunks().stream().mapToLong(SnapshotManifest.ChunkInfo::uncompressedBytes).sum();
            long compressed = manifest.chunks().stream().mapToLong(SnapshotManifest.ChunkInfo::compressedBytes).sum();
            double exportMbS = fileBytes / 1e6 / (exportNanos / 1e9);
            System.out.printf("export: %d chunks, %.1f MB file in %.2f s = %.1f MB/s; chunk bytes raw %.1f MB, LZ4 %.1f MB%n",
                    manifest.chunks().size(), fileBytes / 1e6, exportNanos / 1e9, exportMbS, raw / 1e6, compressed / 1e6);

            long importNanos;
            long importCpuNanos;
            long importedNodes;
            try (SnapshotReader reader = SnapshotReader.open(snapshot, DomainCodecs.DEFAULT);
                    ChainStore target = ChainStore.open(work.resolve("target"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                long start = System.nanoTime();
                long cpuStart = processCpuNanos();
                SnapshotImporter.Result result = SnapshotImporter.importInto(reader, target, SnapshotProgress.NONE);
                importNanos = System.nanoTime() - start;
                importCpuNanos = processCpuNanos() - cpuStart;
                if (!result.stateRoot().equals(manifest.stateRoot()) || result.entries() != accounts) {
                    throw new IllegalStateException("import produced " + result.entries() + " entries, root " + result.stateRoot());
                }
            }
            try (ChainStore reopened = ChainStore.open(work.resolve("target"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                importedNodes = new StateStore(reopened, 0, 1024).nodeCount();
            }
            double importMbS = fileBytes / 1e6 / (importNanos / 1e9);
            double ratio = (double) raw / compressed;
            System.out.printf("import (verify every chunk, write values, build the tree): %.2f s = %.1f MB/s%n",
                    importNanos / 1e9, importMbS);
            System.out.printf("export/disk %.2f, import/disk %.2f%n", exportMbS / diskMbS, importMbS / diskMbS);
            // CPU seconds of the whole process (all threads: RocksDB's flushes and compactions, GC):
            // on a shared machine, wall time above CPU time is time spent waiting for a core
            System.out.printf("process CPU time: export %.2f s (wall %.2f s), import %.2f s (wall %.2f s)%n",
                    exportCpuNanos / 1e9, exportNanos / 1e9, importCpuNanos / 1e9, importNanos / 1e9);
            // What SHA-256 alone allows for a verified import: one hash per value (16 bytes: one
            // compression block), per leaf and per inner node (65 bytes: two blocks), nothing else.
            double valueHashNs = 1e9 / rawSha256PerSecond(16);
            double nodeHashNs = 1e9 / rawSha256PerSecond(65);
            double hashSeconds = (accounts * valueHashNs + importedNodes * nodeHashNs) / 1e9;
            System.out.printf("hash bound of a verified import: %,d values x %.0f ns + %,d nodes x %.0f ns = %.2f s"
                    + " -> at most %.1f MB/s of this file on one core (%.1f%% of import time is that hashing)%n",
                    accounts, valueHashNs, importedNodes, nodeHashNs, hashSeconds, fileBytes / 1e6 / hashSeconds,
                    100 * hashSeconds / (importNanos / 1e9));
            // The two floors the goal (0.5 x the disk's write rate) meets first, on every core of this machine:
            // the RocksDB scan an export cannot do without, and the hashing a verified import cannot do without.
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("scan bound of an export: the bare scan of the %,d values takes %.2f s -> at most %.1f MB/s"
                    + " of this file per scanning thread%n", accounts, scanNanos / 1e9, fileBytes / 1e6 / (scanNanos / 1e9));
            System.out.printf("goal 0.5 x disk = %.1f MB/s; with all %d cores busy: scan bound %.1f MB/s, hash bound %.1f MB/s%n",
                    diskMbS / 2, cores, cores * fileBytes / 1e6 / (scanNanos / 1e9), cores * fileBytes / 1e6 / hashSeconds);
            System.out.printf("RESULT snapshot export_mb_s=%.1f import_mb_s=%.1f disk_write_mb_s=%.1f ratio=%.2f%n",
                    exportMbS, importMbS, diskMbS, ratio);
        } finally {
            BenchFiles.deleteTree(work);
        }
    }

    /**
     * Time of one full scan of the flat state through the same iterator the export uses, with
     * nothing done per entry but adding up the lengths (so the scan is not optimised away).
     */
    private static long bareScanNanos(ChainStore chain) {
        long[] bytes = {0};
        long start = System.nanoTime();
        try (ChainView view = chain.view()) {
            view.scanAllStateValues((key, keyLength, value, valueLength) -> {
                bytes[0] += keyLength + valueLength;
                return true;
            });
        }
        long nanos = System.nanoTime() - start;
        if (bytes[0] == 0) {
            throw new IllegalStateException("the bare scan saw no state");
        }
        return nanos;
    }

    private static void load(ChainStore chain, StateStore state, int accounts) throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        Hash32 parent = Hash32.ZERO;
        Address proposer = new Address(Hashing.sha256(new byte[] {1}));
        for (int first = 0, height = 0; first < accounts; first += ACCOUNTS_PER_BLOCK, height++) {
            TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
            for (int a = first; a < Math.min(accounts, first + ACCOUNTS_PER_BLOCK); a++) {
                Hash32 path = Hashing.tagged("Account", ByteBuffer.allocate(4).putInt(a).array());
                byte[] value = ByteBuffer.allocate(16).putLong(random.nextLong(1, 1_000_000_000L)).putLong(random.nextInt(100)).array();
                batch.put(path, SmtUpdate.put(path, Bytes.of(value)));
            }
            Hash32 root = state.stage(new ArrayList<>(batch.values())).root();
            QuorumCertificate justify = new QuorumCertificate(
                    new VoteData(parent, Math.max(0, height - 1), Math.max(0, height - 1), Hash32.ZERO, Hash32.ZERO), List.of());
            Block block = new Block(new BlockHeader(CHAIN, height, height, parent, 1_700_000_000_000L + height, proposer,
                    TxRoot.ofIds(List.of()), justify, null), List.of());
            state.commitBlock(block, new QuorumCertificate(new VoteData(block.id(), height, height, root, Hash32.ZERO),
                    List.of()), List.of());
            parent = block.id();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Best of 4 runs: SHA-256 calls per second on inputs of {@code length} bytes, one reused digest. */
    private static double rawSha256PerSecond(int length) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        byte[] input = new byte[length];
        byte[] out = new byte[32];
        int rounds = 1_000_000;
        double best = 0;
        for (int run = 0; run < 4; run++) {
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                digest.update(input, 0, length);
                digest.digest(out, 0, 32);
                input[i % length] ^= out[0];
            }
            best = Math.max(best, rounds / ((System.nanoTime() - start) / 1e9));
        }
        return best;
    }

    /** Writes {@code bytes} sequentially in 4 MiB blocks and fsyncs; returns MB/s (10^6 bytes). */
    static double sequentialWriteMbPerSecond(Path file, long bytes) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(4 << 20);
        SplittableRandom random = new SplittableRandom(1);
        while (block.hasRemaining()) {
            block.put((byte) random.nextInt()); // incompressible, like LZ4 output
        }
        long start = System.nanoTime();
        long written = 0;
        long beforeSync;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (; written < bytes; written += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    channel.write(block);
                }
            }
            beforeSync = System.nanoTime();
            channel.force(true);
        }
        long synced = System.nanoTime();
        long elapsed = synced - start;
        Files.delete(file);
        // the write calls fill the page cache; the fsync is what puts the bytes on the device: both
        // are part of what a durable snapshot write costs (the export ends the same way)
        System.out.printf("disk probe: %d MiB in %s: write calls %.2f s, fsync %.2f s%n", written >> 20,
                file.getParent(), (beforeSync - start) / 1e9, (synced - beforeSync) / 1e9);
        return bytes / 1e6 / (elapsed / 1e9);
    }
}
