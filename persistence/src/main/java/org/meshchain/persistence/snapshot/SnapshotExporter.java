package org.meshchain.persistence.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.merkle.SmtRange;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.state.StateStore;

/**
 * Streams the state at a committed height into a snapshot file (DESIGN 7.3): key order, chunks of
 * about {@code targetEntriesPerChunk} entries, each with the range proof that lets an importer check
 * it against the certified root. Written to {@code out.partial}, fsynced, then renamed into place
 * (and the directory fsynced), so {@code out} is either complete or absent.
 */
public final class SnapshotExporter {

    private static final BigInteger KEY_SPACE = BigInteger.ONE.shiftLeft(256);
    /**
     * The entry count is estimated from a sample of the key space (keys are SHA-256 outputs, so
     * uniformly spread): 1/1024 of it first, widened until the sample holds enough entries.
     */
    private static final int FIRST_SAMPLE_SHIFT = 10;
    private static final int ENOUGH_SAMPLED = 256;

    private SnapshotExporter() {
    }

    public static SnapshotManifest export(ChainStore chain, StateStore state, long height, Path out,
            int targetEntriesPerChunk, SnapshotProgress progress) throws IOException, SnapshotException {
        if (targetEntriesPerChunk < 1) {
            throw new IllegalArgumentException("entries per chunk must be positive, got " + targetEntriesPerChunk);
        }
        long version = height + 1;
        if (version < state.tree().oldestRetainedVersion() || version > state.latestVersion()) {
            throw new SnapshotException("height " + height + " is not retained: state versions "
                    + state.tree().oldestRetainedVersion() + ".." + state.latestVersion() + " (height = version - 1)");
        }
        Block block = chain.blockAt(height).orElseThrow(() -> new SnapshotException("no block at height " + height));
        QuorumCertificate certificate = chain.certificateAt(height)
                .orElseThrow(() -> new SnapshotException("no certificate at height " + height));
        Hash32 root = state.tree().rootHash(version);
        if (!root.equals(certificate.voteData().stateRoot())) {
            throw new SnapshotException("state root at height " + height + " is " + root + " but the certificate says "
                    + certificate.voteData().stateRoot());
        }
        int chunkCount = chunkCount(state, version, targetEntriesPerChunk);
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        List<SnapshotManifest.ChunkInfo> chunks = new ArrayList<>(chunkCount);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream stream = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20)) {
            long offset = 0;
            stream.write(SnapshotFormat.header());
            offset += SnapshotFormat.HEADER_BYTES;
            BigInteger width = KEY_SPACE.divide(BigInteger.valueOf(chunkCount));
            for (int i = 0; i < chunkCount; i++) {
                BigInteger start = width.multiply(BigInteger.valueOf(i));
                BigInteger end = i == chunkCount - 1 ? KEY_SPACE.subtract(BigInteger.ONE) : start.add(width).subtract(BigInteger.ONE);
                offset = writeInterval(state, version, start, end, stream, offset, chunks);
                progress.chunkDone(i + 1, chunkCount, offset);
            }
            SnapshotManifest manifest = new SnapshotManifest(height, root, block, certificate, chunks);
            byte[] manifestBytes = manifest.encode();
            stream.write(manifestBytes);
            stream.write(SnapshotFormat.trailer(offset, manifestBytes.length, Hashing.sha256(manifestBytes)));
            stream.flush();
            channel.force(true);
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(out.toAbsolutePath().getParent());
            return manifest;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Writes [start, end] as one chunk, or as two halves if it would exceed the chunk size limit. */
    private static long writeInterval(StateStore state, long version, BigInteger start, BigInteger end, OutputStream stream,
            long offset, List<SnapshotManifest.ChunkInfo> chunks) throws IOException {
        Hash32 startPath = SnapshotManifest.fromBigInteger(start);
        Hash32 endPath = SnapshotManifest.fromBigInteger(end);
        SmtRange range = state.tree().range(version, startPath, endPath);
        byte[] raw = SnapshotFormat.encodeChunk(range);
        if (raw.length > SnapshotFormat.MAX_CHUNK_BYTES && end.compareTo(start) > 0) {
            BigInteger middle = start.add(end).shiftRight(1);
            offset = writeInterval(state, version, start, middle, stream, offset, chunks);
            return writeInterval(state, version, middle.add(BigInteger.ONE), end, stream, offset, chunks);
        }
        byte[] compressed = SnapshotFormat.compress(raw);
        stream.write(compressed);
        chunks.add(new SnapshotManifest.ChunkInfo(startPath, endPath, range.entries().size(), offset, compressed.length,
                raw.length, Hashing.sha256(compressed)));
        return offset + compressed.length;
    }

    /** A power of two near (entries ÷ target), from counting the entries of a sample of the key space. */
    static int chunkCount(StateStore state, long version, int targetEntriesPerChunk) {
        int shift = FIRST_SAMPLE_SHIFT;
        long sampled;
        while (true) {
            Hash32 sampleEnd = SnapshotManifest.fromBigInteger(KEY_SPACE.shiftRight(shift).subtract(BigInteger.ONE));
            sampled = state.tree().range(version, SnapshotManifest.FIRST_PATH, sampleEnd).entries().size();
            if (sampled >= ENOUGH_SAMPLED || shift == 0) {
                break;
            }
            shift = Math.max(0, shift - 3);
        }
        long estimatedEntries = Math.max(1, sampled << shift);
        long wanted = Math.max(1, estimatedEntries / targetEntriesPerChunk);
        int count = (int) Long.highestOneBit(Math.min(wanted, SnapshotManifest.MAX_CHUNKS / 2));
        return Math.max(1, count);
    }

    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
