package org.meshchain.persistence.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
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

/**
 * Imports a snapshot into an empty store (DESIGN 7.3). Every chunk is verified against the
 * certified root BEFORE any of it is written: merkle/'s {@link SmtChunkBuilder} checks the chunk's
 * range proof and, with the same hashing, builds the tree nodes of the chunk's key range, joining
 * them bottom-up with the chunks before it, so the state is hashed once and the tree is never
 * rebuilt by inserting keys. Each verified chunk's values and nodes are written in one batch with a
 * progress marker (manifest hash, next chunk, the builder's small checkpoint), so an interrupted
 * import resumes where it stopped. Chunk batches are not synced one by one (RocksDB's log keeps
 * them in order, so the marker never runs ahead of the data it describes); the final batch, which
 * installs the snapshot's block as the head with the version's root, is synced and makes them all
 * durable.
 */
public final class SnapshotImporter {

    private SnapshotImporter() {
    }

    /** What an import did. */
    public record Result(long height, Hash32 stateRoot, long entries, int chunksImported, boolean resumed,
            boolean alreadyImported) {
    }

    public static Result importInto(SnapshotReader reader, ChainStore chain, SnapshotProgress progress)
            throws IOException, SnapshotException {
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
        // Reading, hash-checking, decompressing and decoding the next chunk runs on a second thread
        // while this one verifies, builds and writes the current chunk: one chunk ahead at most.
        ExecutorService decoder = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "snapshot-import-decoder");
            thread.setDaemon(true);
            return thread;
        });
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
                List<SmtNode> nodes = builder.takeNewNodes();
                List<StateDelta.Write> writes = new ArrayList<>(range.entries().size() + nodes.size());
                for (SmtEntry entry : range.entries()) {
                    writes.add(StateDelta.Write.put(StateDelta.Column.VALUES, entry.path().toByteArray(), entry.value().toByteArray()));
                }
                addNodes(writes, nodes);
                chain.writeSnapshotChunk(new StateDelta(writes), marker(reader.manifestHash(), i + 1, builder.checkpoint()), false);
                imported++;
                entries += range.entries().size();
                progress.chunkDone(i + 1, total, info.offset() + info.compressedBytes());
            }
        } finally {
            decoder.shutdownNow();
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

    private static Future<SmtRange> decode(ExecutorService decoder, SnapshotReader reader, int index) {
        return decoder.submit(() -> reader.decodedChunk(index));
    }

    private static SmtRange await(Future<SmtRange> chunk) throws IOException, SnapshotException {
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

    /**
     * Node writes in key order: node keys are hashes, so a chunk's nodes land all over the memtable;
     * inserting them sorted keeps consecutive skiplist searches on shared, cached paths.
     */
    private static void addNodes(List<StateDelta.Write> writes, List<SmtNode> nodes) {
        List<StateDelta.Write> nodeWrites = new ArrayList<>(nodes.size());
        for (SmtNode node : nodes) {
            nodeWrites.add(StateDelta.Write.put(StateDelta.Column.NODES, node.key().toBytes(), SmtNodeCodec.encode(node)));
        }
        nodeWrites.sort((a, b) -> java.util.Arrays.compareUnsigned(a.key(), b.key()));
        writes.addAll(nodeWrites);
    }

    private static byte[] versionKey(long version) {
        return ByteBuffer.allocate(8).putLong(version).array();
    }

    private static byte[] marker(Hash32 manifestHash, int nextChunk, byte[] checkpoint) {
        return ByteBuffer.allocate(36 + checkpoint.length).put(manifestHash.toByteArray()).putInt(nextChunk).put(checkpoint).array();
    }
}
