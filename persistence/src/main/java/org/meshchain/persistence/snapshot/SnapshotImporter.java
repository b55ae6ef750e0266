package org.meshchain.persistence.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtChunkBuilder;
import org.meshchain.merkle.SmtEntry;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtNodeCodec;
import org.meshchain.merkle.SmtRange;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.StateDelta;
import org.meshchain.persistence.chain.StateFileWriter;

/**
 * Imports a snapshot into an empty store (DESIGN 7.3). Every chunk is verified against the
 * certified root BEFORE any of it is written: merkle/'s {@link SmtChunkBuilder} checks the chunk's
 * range proof and, with the same hashing, builds the tree nodes of the chunk's key range, joining
 * them bottom-up with the chunks before it, so the state is hashed once and the tree is never
 * rebuilt by inserting keys.
 *
 * <p>Writing (ADR 0055): verified chunks are gathered into batches of about {@code batchBytes} of
 * state. A batch's values go straight into an SST file (chunks arrive in key order, so the values
 * do too); its tree nodes (keyed by hash, so in no useful order) are held in memory, sorted and
 * written to a second SST file. Both files are ingested into the store, bypassing RocksDB's log
 * and memtables, and then a synced progress marker (manifest hash, next chunk, the builder's small
 * checkpoint) records the batch, so an interrupted import resumes after the last ingested batch.
 * Nothing of a chunk reaches the store before its proof verified; the head pointer is switched
 * last, in one synced batch with the version's root. Reading, hash-checking, decompressing and
 * decoding the next chunk runs on a second thread.
 */
public final class SnapshotImporter {

    private SnapshotImporter() {
    }

    /** What an import did. */
    public record Result(long height, Hash32 stateRoot, long entries, int chunksImported, boolean resumed,
            boolean alreadyImported) {
    }

    /**
     * State bytes (keys and values) gathered before a batch is written and ingested: bounds the
     * memory the batch's tree nodes take (about twice this on the heap) and how much work an
     * interruption loses; larger batches mean fewer overlapping node files for RocksDB to merge.
     */
    public static final long DEFAULT_BATCH_BYTES = 32L << 20;

    public static Result importInto(SnapshotReader reader, ChainStore chain, SnapshotProgress progress)
            throws IOException, SnapshotException {
        return importInto(reader, chain, progress, DEFAULT_BATCH_BYTES);
    }

    /** As {@link #importInto(SnapshotReader, ChainStore, SnapshotProgress)} with batches of about {@code batchBytes}. */
    public static Result importInto(SnapshotReader reader, ChainStore chain, SnapshotProgress progress, long batchBytes)
            throws IOException, SnapshotException {
        if (batchBytes < 1) {
            throw new IllegalArgumentException("import batch bytes must be positive, got " + batchBytes);
        }
        SnapshotManifest manifest = reader.manifest();
        Optional<ChainStore.Head> head = chain.head();
        if (head.isPresent()) {
            if (head.get().height() == manifest.height() && head.get().blockId().equals(manifest.block().id())) {
                return new Result(manifest.height(), manifest.stateRoot(), 0, 0, false, true);
            }
            throw new SnapshotException("the data directory already holds a chain (head at height " + head.get().height()
                    + "); import a snapshot into an empty directory");
        }
        long version = manifest.height() + 1;
        int total = manifest.chunks().size();
        int next = 0;
        SmtChunkBuilder builder = new SmtChunkBuilder(manifest.stateRoot(), version);
        Optional<byte[]> marker = chain.snapshotImportProgress();
        if (marker.isPresent()) {
            ByteBuffer buffer = ByteBuffer.wrap(marker.get());
            byte[] hash = new byte[32];
            if (buffer.remaining() < 36) {
                throw new SnapshotException("the import progress marker in this directory is damaged; start again with an empty directory");
            }
            buffer.get(hash);
            if (!Hash32.of(hash).equals(reader.manifestHash())) {
                throw new SnapshotException("an import of a different snapshot was interrupted in this directory; "
                        + "finish that one or start again with an empty directory");
            }
            next = buffer.getInt();
            byte[] checkpoint = new byte[buffer.remaining()];
            buffer.get(checkpoint);
            try {
                builder = SmtChunkBuilder.resume(manifest.stateRoot(), version, checkpoint);
            } catch (IllegalArgumentException e) {
                throw new SnapshotException("the import progress marker in this directory is damaged (" + e.getMessage()
                        + "); start again with an empty directory");
            }
        }
        boolean resumed = next > 0;
        int imported = 0;
        long entries = 0;
        Path staging = chain.importStagingDirectory();
        // files of a batch that an interruption kept from being ingested: the marker does not count them
        deleteStaging(staging);
        Files.createDirectories(staging);
        // three stages on their own threads: this one verifies chunks and builds the tree's nodes; a
        // decoder reads, hash-checks, decompresses and decodes the next chunk; a writer sorts and
        // writes the previous batch's files and ingests them. One chunk and one batch ahead at most.
        ExecutorService decoder = Executors.newSingleThreadExecutor(runnable -> daemon(runnable, "snapshot-import-decoder"));
        ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> daemon(runnable, "snapshot-import-writer"));
        Batch batch = null;
        Batch writing = null;
        Future<?> written = null;
        try {
            Future<SmtRange> ahead = next < total ? decode(decoder, reader, next) : null;
            for (int i = next; i < total; i++) {
                SnapshotManifest.ChunkInfo info = manifest.chunks().get(i);
                SmtRange range = await(ahead);
                ahead = i + 1 < total ? decode(decoder, reader, i + 1) : null;
                if (!builder.addChunk(info.start(), info.end(), range.entries(), range.proof())) {
                    throw SnapshotException.inChunk(i, total, "range proof does not verify against the certified state root "
                            + manifest.stateRoot());
                }
                if (batch == null) {
                    batch = new Batch(chain, staging, i, version);
                }
                batch.add(range.entries(), builder.takeNewNodes());
                if (batch.bytes() >= batchBytes || batch.nodesNearLimit() || i == total - 1) {
                    byte[] batchMarker = marker(reader.manifestHash(), i + 1, builder.checkpoint());
                    if (written != null) {
                        await(written);
                        written = null;
                        imported += reportDurable(writing, manifest, progress);
                        entries += writing.entries();
                    }
                    Batch full = batch;
                    batch = null;
                    writing = full;
                    written = writer.submit(() -> {
                        full.ingest(batchMarker);
                        return null;
                    });
                }
            }
            if (written != null) {
                await(written);
                written = null;
                imported += reportDurable(writing, manifest, progress);
                entries += writing.entries();
            }
        } finally {
            decoder.shutdownNow();
            if (written != null) {
                // the writer must be done with the store before the caller may close it
                try {
                    written.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    // the import already failed for another reason, which is the one reported
                }
            }
            writer.shutdownNow();
            if (batch != null) {
                batch.discard();
            }
            deleteStaging(staging);
        }
        NodeKey root;
        try {
            root = builder.finish();
        } catch (IllegalStateException e) {
            throw new SnapshotException("the imported chunks do not join into the certified root: " + e.getMessage());
        }
        List<StateDelta.Write> writes = new ArrayList<>();
        addNodes(writes, builder.takeNewNodes());
        writes.add(StateDelta.Write.put(StateDelta.Column.ROOTS, versionKey(version), root.isEmpty() ? new byte[0] : root.toBytes()));
        if (version != 0) {
            // a state store opened on the empty directory wrote the empty tree as version 0: not part of this chain
            writes.add(StateDelta.Write.delete(StateDelta.Column.ROOTS, versionKey(0)));
        }
        chain.installSnapshotBase(manifest.block(), manifest.certificate(), new StateDelta(writes));
        return new Result(manifest.height(), root.hash(), entries, imported, resumed, false);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Reports the chunks of an ingested batch as done; returns how many. */
    private static int reportDurable(Batch batch, SnapshotManifest manifest, SnapshotProgress progress) {
        int total = manifest.chunks().size();
        for (int done = batch.firstChunk(); done <= batch.lastChunk(); done++) {
            SnapshotManifest.ChunkInfo info = manifest.chunks().get(done);
            progress.chunkDone(done + 1, total, info.offset() + info.compressedBytes());
        }
        return batch.lastChunk() - batch.firstChunk() + 1;
    }

    private static Future<SmtRange> decode(ExecutorService decoder, SnapshotReader reader, int index) {
        return decoder.submit(() -> reader.decodedChunk(index));
    }

    private static <T> T await(Future<T> chunk) throws IOException, SnapshotException {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotException("import interrupted");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case SnapshotException snapshot -> throw snapshot;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Node writes in key order (see {@link ChainStore}'s sorted batch writes). */
    private static void addNodes(List<StateDelta.Write> writes, List<SmtNode> nodes) {
        List<StateDelta.Write> nodeWrites = new ArrayList<>(nodes.size());
        for (SmtNode node : nodes) {
            nodeWrites.add(StateDelta.Write.put(StateDelta.Column.NODES, node.key().toBytes(), SmtNodeCodec.encode(node)));
        }
        nodeWrites.sort((a, b) -> java.util.Arrays.compareUnsigned(a.key(), b.key()));
        writes.addAll(nodeWrites);
    }

    /**
     * Verified chunks not yet in the store. {@link #ingest} (on the writer thread) streams the
     * values into an SST file in key order, sorts the nodes into a second one and ingests both.
     */
    private static final class Batch {
        private final ChainStore chain;
        private final Path staging;
        private final int firstChunk;
        private final long version;
        /** Values go into their file as their chunk is verified (they arrive in key order), on the verifying thread. */
        private final StateFileWriter valueFile;
        private final NodeRun nodes = new NodeRun();
        private int lastChunk;
        private long bytes;

        Batch(ChainStore chain, Path staging, int firstChunk, long version) {
            this.chain = chain;
            this.staging = staging;
            this.firstChunk = firstChunk;
            this.lastChunk = firstChunk - 1;
            this.version = version;
            this.valueFile = chain.stateFileWriter(StateDelta.Column.VALUES, staging.resolve("values-" + firstChunk + ".sst"));
        }

        void add(List<SmtEntry> chunkEntries, List<SmtNode> newNodes) {
            lastChunk++;
            for (SmtEntry entry : chunkEntries) {
                byte[] value = entry.value().toByteArray();
                valueFile.put(entry.path().toByteArray(), value);
                bytes += Hash32.LENGTH + value.length;
            }
            for (SmtNode node : newNodes) {
                if (node.key().version() != version) {
                    throw new IllegalStateException("node " + node.key() + " is not of the imported version " + version);
                }
                byte[] key = node.key().toBytes();
                byte[] value = SmtNodeCodec.encode(node);
                nodes.add(key, value);
                bytes += key.length + value.length;
            }
        }

        long bytes() {
            return bytes;
        }

        /** Whether the next chunk's nodes might not fit in the run (never at sane batch sizes). */
        boolean nodesNearLimit() {
            return nodes.size() > NodeRun.MAX_NODES / 2;
        }

        long entries() {
            return valueFile.entries();
        }

        int firstChunk() {
            return firstChunk;
        }

        int lastChunk() {
            return lastChunk;
        }

        /** Sorts and writes the node file, finishes both files and ingests them with the progress marker. */
        void ingest(byte[] marker) {
            try (StateFileWriter nodeFile = chain.stateFileWriter(StateDelta.Column.NODES,
                    staging.resolve("nodes-" + firstChunk + ".sst"))) {
                nodes.writeSorted(nodeFile);
                List<StateFileWriter> files = new ArrayList<>(2);
                if (valueFile.finish()) {
                    files.add(valueFile);
                }
                if (nodeFile.finish()) {
                    files.add(nodeFile);
                }
                chain.ingestSnapshotFiles(files, marker);
            } finally {
                valueFile.close();
            }
        }

        /** Releases a batch that will not be ingested. */
        void discard() {
            valueFile.close();
        }
    }

    private static void deleteStaging(Path staging) throws IOException {
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(staging)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(staging);
    }

    private static byte[] versionKey(long version) {
        return ByteBuffer.allocate(8).putLong(version).array();
    }

    private static byte[] marker(Hash32 manifestHash, int nextChunk, byte[] checkpoint) {
        return ByteBuffer.allocate(36 + checkpoint.length).put(manifestHash.toByteArray()).putInt(nextChunk).put(checkpoint).array();
    }
}
