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
import org.meshchain.merkle.SmtRangeProof;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.state.StateStore;

/**
 * Streams the state at a committed height into a snapshot file (DESIGN 7.3): key order, chunks of
 * about {@code targetEntriesPerChunk} entries, each with the range proof that lets an importer check
 * it against the certified root. At the head the entries stream from the flat state; at an older
 * retained height (the flat state holds only the head) the tree is walked interval by interval. Written to {@code out.partial}, fsynced, then renamed into place
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
        boolean atHead = version == state.latestVersion();
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        List<SnapshotManifest.ChunkInfo> chunks = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream stream = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20)) {
            long offset = 0;
            stream.write(SnapshotFormat.header());
            offset += SnapshotFormat.HEADER_BYTES;
            if (atHead) {
                offset = streamFlatState(chain, state, height, version, targetEntriesPerChunk, stream, offset, chunks, progress);
            } else {
                int chunkCount = chunkCount(state, version, targetEntriesPerChunk);
                BigInteger width = KEY_SPACE.divide(BigInteger.valueOf(chunkCount));
                for (int i = 0; i < chunkCount; i++) {
                    BigInteger start = width.multiply(BigInteger.valueOf(i));
                    BigInteger end = i == chunkCount - 1 ? KEY_SPACE.subtract(BigInteger.ONE) : start.add(width).subtract(BigInteger.ONE);
                    offset = writeInterval(state, version, start, end, stream, offset, chunks);
                    progress.chunkDone(i + 1, chunkCount, offset);
                }
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

    /**
     * Export at the head: the entries come from the flat state ({@code state_values}, one sequential
     * scan in key order inside one RocksDB snapshot), cut into chunks of {@code target} entries (or
     * fewer when their bytes approach the chunk limit), each ending at its last entry's path (the last
     * at 2^256 - 1) so the chunks tile the key space. The tree gives each chunk's range proof from its
     * two boundary paths only; it is never walked entry by entry. Two threads: this one scans and
     * encodes the entries straight into the chunk's bytes; a writer thread (the only one that touches
     * the tree) adds the proof, compresses, hashes and writes, one chunk behind at most.
     */
    private static long streamFlatState(ChainStore chain, StateStore state, long height, long version, int target,
            OutputStream stream, long startOffset, List<SnapshotManifest.ChunkInfo> chunks, SnapshotProgress progress)
            throws IOException, SnapshotException {
        int estimatedChunks = (int) Math.min(SnapshotManifest.MAX_CHUNKS, Math.max(1, chain.estimatedStateEntries() / target + 1));
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "snapshot-export-writer");
            thread.setDaemon(true);
            return thread;
        });
        try (ChainView view = chain.view()) {
            if (!view.head().map(h -> h.height() == height).orElse(false)) {
                throw new SnapshotException("the head moved away from height " + height + " during the export");
            }
            ChunkStream chunkStream = new ChunkStream(state, version, stream, startOffset, chunks, progress, estimatedChunks,
                    writer);
            IOException[] failure = {null};
            view.scanAllStateValues((key, keyLength, value, valueLength) -> {
                try {
                    chunkStream.add(key, keyLength, value, valueLength, target);
                    return true;
                } catch (IOException e) {
                    failure[0] = e;
                    return false;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            return chunkStream.finish();
        } finally {
            writer.shutdownNow();
        }
    }

    /** Accumulates encoded entries into chunks and hands each to the writer: proof, LZ4, hash, write. */
    private static final class ChunkStream {
        private static final int CHUNK_BYTES_SOFT_LIMIT = SnapshotFormat.MAX_CHUNK_BYTES / 2;

        private final StateStore state;
        private final long version;
        private final OutputStream stream;
        private final List<SnapshotManifest.ChunkInfo> chunks;
        private final SnapshotProgress progress;
        private final int estimatedChunks;
        private final java.util.concurrent.ExecutorService writer;
        private final java.security.MessageDigest digest = Hashing.sha256Digest();
        private java.util.concurrent.Future<?> pending;
        /** Written by the writer thread only; read after it finished. */
        private long offset;
        private Hash32 start = SnapshotManifest.FIRST_PATH;
        /** The chunk's entries in their canonical encoding (path, ULEB128 length, value), back to back. */
        private byte[] entryBytes = new byte[1 << 16];
        private int entryLength;
        private int entryCount;
        /** Where the last added entry's path starts in {@link #entryBytes}. */
        private int lastPathOffset;

        ChunkStream(StateStore state, long version, OutputStream stream, long offset, List<SnapshotManifest.ChunkInfo> chunks,
                SnapshotProgress progress, int estimatedChunks, java.util.concurrent.ExecutorService writer) {
            this.state = state;
            this.version = version;
            this.stream = stream;
            this.offset = offset;
            this.chunks = chunks;
            this.progress = progress;
            this.estimatedChunks = estimatedChunks;
            this.writer = writer;
        }

        /** Adds one entry (the arrays are the scan's, reused: copied here, never kept). */
        void add(byte[] key, int keyLength, byte[] value, int valueLength, int target) throws IOException {
            if (keyLength != Hash32.LENGTH) {
                throw new IOException("flat state holds a key of " + keyLength + " bytes: the store is damaged");
            }
            // a full chunk is closed when the next entry shows there is more: its end is its last path
            if (entryCount >= target || entryLength >= CHUNK_BYTES_SOFT_LIMIT) {
                Hash32 last = Hash32.of(java.util.Arrays.copyOfRange(entryBytes, lastPathOffset, lastPathOffset + Hash32.LENGTH));
                submit(last);
                start = successor(last);
            }
            ensure(Hash32.LENGTH + 5 + valueLength);
            lastPathOffset = entryLength;
            System.arraycopy(key, 0, entryBytes, entryLength, Hash32.LENGTH);
            entryLength += Hash32.LENGTH;
            long length = valueLength;
            while (length >= 0x80) {
                entryBytes[entryLength++] = (byte) ((length & 0x7F) | 0x80);
                length >>>= 7;
            }
            entryBytes[entryLength++] = (byte) length;
            System.arraycopy(value, 0, entryBytes, entryLength, valueLength);
            entryLength += valueLength;
            entryCount++;
        }

        long finish() throws IOException {
            submit(SnapshotManifest.LAST_PATH);
            awaitPending();
            return offset;
        }

        private void ensure(int more) {
            if (entryLength + more > entryBytes.length) {
                entryBytes = java.util.Arrays.copyOf(entryBytes, Math.max(entryLength + more, entryBytes.length * 2));
            }
        }

        /** Hands the current chunk to the writer after the previous one is written. */
        private void submit(Hash32 end) throws IOException {
            awaitPending();
            Hash32 chunkStart = start;
            byte[] entries = entryBytes;
            int length = entryLength;
            int count = entryCount;
            pending = writer.submit(() -> {
                write(chunkStart, end, count, entries, length);
                return null;
            });
            entryBytes = new byte[Math.max(1 << 16, length + (length >> 3))];
            entryLength = 0;
            entryCount = 0;
        }

        private void awaitPending() throws IOException {
            if (pending == null) {
                return;
            }
            try {
                pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("export interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                switch (e.getCause()) {
                    case IOException io -> throw io;
                    case RuntimeException runtime -> throw runtime;
                    case Error error -> throw error;
                    default -> throw new IllegalStateException(e.getCause());
                }
            } finally {
                pending = null;
            }
        }

        private void write(Hash32 chunkStart, Hash32 end, int count, byte[] entries, int length) throws IOException {
            SmtRangeProof proof = state.tree().rangeProof(version, chunkStart, end);
            byte[] raw = SnapshotFormat.encodeChunk(count, entries, length, proof);
            byte[] compressed = SnapshotFormat.compress(raw);
            stream.write(compressed);
            digest.reset();
            Hash32 hash = Hash32.of(digest.digest(compressed));
            chunks.add(new SnapshotManifest.ChunkInfo(chunkStart, end, count, offset, compressed.length, raw.length, hash));
            offset += compressed.length;
            progress.chunkDone(chunks.size(), Math.max(chunks.size(), estimatedChunks), offset);
        }

        private static Hash32 successor(Hash32 path) {
            byte[] next = path.toByteArray();
            for (int i = next.length - 1; i >= 0; i--) {
                if (++next[i] != 0) {
                    break;
                }
            }
            return Hash32.of(next);
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
