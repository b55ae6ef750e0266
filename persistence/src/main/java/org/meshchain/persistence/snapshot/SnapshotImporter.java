package org.meshchain.persistence.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.CommitResult;
import org.meshchain.merkle.SmtEntry;
import org.meshchain.merkle.SmtRange;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.StateDelta;
import org.meshchain.persistence.state.RocksDbNodeStore;

/**
 * Imports a snapshot into an empty store (DESIGN 7.3). Every chunk is verified against the
 * certified root BEFORE any of it is written; each verified chunk is written with a progress marker
 * (manifest hash, next chunk), so an interrupted import resumes where it stopped. When all chunks
 * are in, the state tree is built from them and its root must equal the manifest's; then the
 * snapshot's block becomes the head in one batch.
 */
public final class SnapshotImporter {

    private static final byte[] EMPTY_ROOT = new byte[0];

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
        int total = manifest.chunks().size();
        int next = 0;
        Optional<byte[]> marker = chain.snapshotImportProgress();
        if (marker.isPresent()) {
            ByteBuffer buffer = ByteBuffer.wrap(marker.get());
            byte[] hash = new byte[32];
            buffer.get(hash);
            if (!Hash32.of(hash).equals(reader.manifestHash())) {
                throw new SnapshotException("an import of a different snapshot was interrupted in this directory; "
                        + "finish that one or start again with an empty directory");
            }
            next = buffer.getInt();
        }
        boolean resumed = next > 0;
        int imported = 0;
        for (int i = next; i < total; i++) {
            SmtRange range = reader.verifiedChunk(i);
            List<StateDelta.Write> writes = new ArrayList<>(range.entries().size());
            for (SmtEntry entry : range.entries()) {
                writes.add(StateDelta.Write.put(StateDelta.Column.VALUES, entry.path().toByteArray(), entry.value().toByteArray()));
            }
            chain.writeSnapshotChunk(new StateDelta(writes), marker(reader.manifestHash(), i + 1));
            imported++;
            SnapshotManifest.ChunkInfo info = manifest.chunks().get(i);
            progress.chunkDone(i + 1, total, info.offset() + info.compressedBytes());
        }
        return buildTreeAndInstall(chain, manifest, imported, resumed);
    }

    private static byte[] marker(Hash32 manifestHash, int nextChunk) {
        return ByteBuffer.allocate(36).put(manifestHash.toByteArray()).putInt(nextChunk).array();
    }

    /**
     * Builds state version height + 1 from the imported values on top of an empty version at the
     * snapshot height (which exists only during the build), then installs the block as the head.
     */
    private static Result buildTreeAndInstall(ChainStore chain, SnapshotManifest manifest, int imported, boolean resumed)
            throws SnapshotException {
        long baseVersion = manifest.height();
        byte[] baseKey = ByteBuffer.allocate(8).putLong(baseVersion).array();
        chain.writeState(new StateDelta(List.of(StateDelta.Write.put(StateDelta.Column.ROOTS, baseKey, EMPTY_ROOT))));
        RocksDbNodeStore nodes = new RocksDbNodeStore(chain, 0, SnapshotFormat.MAX_VALUE_BYTES);
        SparseMerkleTree tree = new SparseMerkleTree(nodes);
        List<SmtUpdate> updates = new ArrayList<>();
        byte[] end = new byte[33];
        java.util.Arrays.fill(end, (byte) 0xFF);
        chain.scanState(StateDelta.Column.VALUES, new byte[0], end, (key, value) -> {
            updates.add(SmtUpdate.put(Hash32.of(key), Bytes.of(value)));
            return true;
        });
        CommitResult result = tree.apply(baseVersion, updates);
        if (!result.root().equals(manifest.stateRoot())) {
            nodes.discardStaged();
            throw new SnapshotException("the imported state hashes to " + result.root() + ", not the certified root "
                    + manifest.stateRoot() + " (the directory held other state values?)");
        }
        List<StateDelta.Write> writes = new ArrayList<>(nodes.takeStaged().writes());
        writes.add(StateDelta.Write.delete(StateDelta.Column.ROOTS, baseKey));
        chain.installSnapshotBase(manifest.block(), manifest.certificate(), new StateDelta(writes));
        nodes.stagedWritten();
        return new Result(manifest.height(), result.root(), updates.size(), imported, resumed, false);
    }
}
