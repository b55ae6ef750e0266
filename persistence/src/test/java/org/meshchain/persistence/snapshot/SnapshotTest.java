package org.meshchain.persistence.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.SmtEntry;
import org.meshchain.merkle.SmtRange;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.chain.ChainFixtures;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.state.StateStore;

class SnapshotTest {

    @TempDir
    Path tmp;

    private ChainStore source;
    private StateStore sourceState;
    private final Random random = new Random(5);
    private final TreeMap<Hash32, Bytes> live = new TreeMap<>();

    @BeforeEach
    void buildSourceChain() throws Exception {
        source = ChainStore.open(tmp.resolve("source"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        sourceState = new StateStore(source, 10_000, 1024);
        for (int b = 0; b < 8; b++) {
            TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
            for (int i = 0; i < 600; i++) {
                Hash32 path = Hashing.sha256(ByteBuffer.allocate(4).putInt(random.nextInt(4000)).array());
                if (random.nextInt(6) == 0) {
                    batch.put(path, SmtUpdate.delete(path));
                } else {
                    batch.put(path, SmtUpdate.put(path, Bytes.of(("value-" + b + "-" + i).getBytes())));
                }
            }
            for (SmtUpdate update : batch.values()) {
                if (update.isDelete()) {
                    live.remove(update.path());
                } else {
                    live.put(update.path(), update.value());
                }
            }
            ChainFixtures.commitWithState(source, sourceState, new ArrayList<>(batch.values()), 2);
        }
    }

    @AfterEach
    void closeSource() {
        source.close();
    }

    private Path export(long height, int perChunk) throws Exception {
        Path file = tmp.resolve("state-" + height + ".snap");
        List<Integer> progress = new ArrayList<>();
        SnapshotManifest manifest = SnapshotExporter.export(source, sourceState, height, file, perChunk,
                (done, total, bytes) -> progress.add(done));
        assertThat(progress).hasSize(manifest.chunks().size());
        assertThat(Files.exists(tmp.resolve("state-" + height + ".snap.partial"))).isFalse();
        return file;
    }

    @Test
    void exportVerifyAndImportReproduceTheCertifiedState() throws Exception {
        Path file = export(7, 200);
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            assertThat(reader.manifest().chunks().size()).isGreaterThanOrEqualTo(4);
            assertThat(reader.verifyAll(SnapshotProgress.NONE)).isEqualTo(live.size());
            assertThat(reader.manifest().stateRoot()).isEqualTo(sourceState.tree().rootHash(8));

            try (ChainStore target = ChainStore.open(tmp.resolve("target"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                SnapshotImporter.Result result = SnapshotImporter.importInto(reader, target, SnapshotProgress.NONE);
                assertThat(result.entries()).isEqualTo(live.size());
                assertThat(result.stateRoot()).isEqualTo(reader.manifest().stateRoot());
                assertThat(target.head().orElseThrow().height()).isEqualTo(7);
                assertThat(target.prunedBelow()).isEqualTo(7);

                StateStore imported = new StateStore(target, 1000, 1024);
                assertThat(imported.latestVersion()).isEqualTo(8);
                assertThat(imported.tree().rootHash(8)).isEqualTo(reader.manifest().stateRoot());
                for (var entry : live.entrySet()) {
                    assertThat(imported.valueAtHead(entry.getKey())).contains(entry.getValue());
                    assertThat(imported.valueAt(8, entry.getKey())).contains(entry.getValue());
                    assertThat(org.meshchain.merkle.SmtProof.verifyMembership(reader.manifest().stateRoot(), entry.getKey(),
                            entry.getValue().toByteArray(), imported.prove(8, entry.getKey()))).isTrue();
                }
                // the imported node carries on: the next block commits on top of the snapshot
                Hash32 path = Hashing.sha256(new byte[] {42});
                Hash32 root = imported.stage(List.of(SmtUpdate.put(path, Bytes.of(new byte[] {1})))).root();
                Block next = ChainFixtures.block(8, target.head().orElseThrow().blockId(), 1, 80, 0);
                imported.commitBlock(next, ChainFixtures.certificate(next, root), ChainFixtures.receipts(next));
                assertThat(target.head().orElseThrow().height()).isEqualTo(8);
                // importing the same snapshot again is a no-op
                assertThat(target.head().orElseThrow().height()).isEqualTo(8);
            }
        }
    }

    @Test
    void anOlderRetainedHeightExportsItsOwnState() throws Exception {
        Path file = export(3, 1000);
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            assertThat(reader.manifest().stateRoot()).isEqualTo(sourceState.tree().rootHash(4));
            reader.verifyAll(SnapshotProgress.NONE);
        }
    }

    @Test
    void anInterruptedImportResumes() throws Exception {
        Path file = export(7, 200);
        Path targetDir = tmp.resolve("resumed");
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore target = ChainStore.open(targetDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            // batches of one chunk: every chunk is ingested and counted before the next is read
            assertThatThrownBy(() -> SnapshotImporter.importInto(reader, target, (done, total, bytes) -> {
                if (done == 3) {
                    throw new IllegalStateException("interrupted");
                }
            }, 1)).hasMessage("interrupted");
            assertThat(target.head()).isEmpty();
        }
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore target = ChainStore.open(targetDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            SnapshotImporter.Result result = SnapshotImporter.importInto(reader, target, SnapshotProgress.NONE);
            assertThat(result.resumed()).isTrue();
            assertThat(result.chunksImported()).isEqualTo(reader.manifest().chunks().size() - 3);
            assertThat(result.stateRoot()).isEqualTo(reader.manifest().stateRoot());
            assertThat(new StateStore(target, 100, 1024).tree().rootHash(8)).isEqualTo(reader.manifest().stateRoot());
        }
    }

    /**
     * Batches of several chunks, interrupted while a batch is still being gathered (a chunk of it
     * fails its hash): what earlier batches ingested stays and is counted by the marker, nothing of
     * the failed batch is in the store, no staged file is left, and importing the intact file
     * resumes after the last ingested batch and ends at the certified root with the whole state.
     */
    @Test
    void anImportInterruptedInsideABatchKeepsOnlyWholeBatchesAndResumes() throws Exception {
        Path file = export(7, 200);
        byte[] intact = Files.readAllBytes(file);
        SnapshotManifest manifest;
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            manifest = reader.manifest();
        }
        int total = manifest.chunks().size();
        assertThat(total).isGreaterThanOrEqualTo(10);
        // about three chunks per batch (a chunk here is ~60 KB of values and nodes)
        long batchBytes = 150_000;
        int victim = 7;
        SnapshotManifest.ChunkInfo victimInfo = manifest.chunks().get(victim);
        byte[] tampered = intact.clone();
        tampered[(int) victimInfo.offset() + victimInfo.compressedBytes() / 2] ^= 0x10;
        Files.write(file, tampered);

        Path targetDir = tmp.resolve("batched");
        List<Integer> durable = new ArrayList<>();
        int[] resumeFrom = {-1};
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore target = ChainStore.open(targetDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            assertThatThrownBy(() -> SnapshotImporter.importInto(reader, target, (done, all, bytes) -> durable.add(done),
                    batchBytes))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessage("chunk " + victim + " of " + total + ": hash mismatch (the chunk was altered)");
            assertThat(target.head()).isEmpty();
            assertThat(Files.exists(target.importStagingDirectory())).isFalse();
            // whole batches only: the marker counts some chunks before the victim (at least those
            // reported durable; a batch still being ingested when the victim failed is finished and
            // counted too), and nothing of the victim's batch or later is in the store
            assertThat(durable).isNotEmpty();
            int counted = ByteBuffer.wrap(target.snapshotImportProgress().orElseThrow()).getInt(32);
            assertThat(counted).isLessThanOrEqualTo(victim).isGreaterThanOrEqualTo(durable.getLast()).isGreaterThan(1);
            resumeFrom[0] = counted;
            Hash32 firstUncounted = manifest.chunks().get(counted).start();
            for (var entry : live.entrySet()) {
                var stored = target.readState(org.meshchain.persistence.chain.StateDelta.Column.VALUES,
                        entry.getKey().toByteArray());
                if (entry.getKey().compareTo(firstUncounted) < 0) {
                    assertThat(stored).as("value of an ingested chunk").isPresent();
                    assertThat(Bytes.of(stored.get())).isEqualTo(entry.getValue());
                } else {
                    assertThat(stored).as("value of a chunk that was not ingested").isEmpty();
                }
            }
        }

        Files.write(file, intact);
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore target = ChainStore.open(targetDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            SnapshotImporter.Result result = SnapshotImporter.importInto(reader, target, SnapshotProgress.NONE, batchBytes);
            assertThat(result.resumed()).isTrue();
            assertThat(result.chunksImported()).isEqualTo(total - resumeFrom[0]);
            assertThat(result.stateRoot()).isEqualTo(manifest.stateRoot());
            assertThat(target.snapshotImportProgress()).isEmpty();
            StateStore imported = new StateStore(target, 1000, 1024);
            assertThat(imported.tree().rootHash(8)).isEqualTo(manifest.stateRoot());
            try (SnapshotReader again = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                    ChainStore clean = ChainStore.open(tmp.resolve("clean"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                SnapshotImporter.importInto(again, clean, SnapshotProgress.NONE);
                assertThat(imported.nodeCount()).isEqualTo(new StateStore(clean, 0, 1024).nodeCount());
            }
            for (var entry : live.entrySet()) {
                assertThat(imported.valueAtHead(entry.getKey())).contains(entry.getValue());
                assertThat(imported.valueAt(8, entry.getKey())).contains(entry.getValue());
            }
        }
    }

    /** Files staged by an import that died before ingesting them are cleared, not ingested, by the next run. */
    @Test
    void leftoverStagedFilesOfADeadImportAreDiscarded() throws Exception {
        Path file = export(7, 200);
        Path targetDir = tmp.resolve("leftovers");
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore target = ChainStore.open(targetDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            Files.createDirectories(target.importStagingDirectory());
            Path leftover = target.importStagingDirectory().resolve("values-0.sst");
            Files.write(leftover, new byte[] {1, 2, 3});
            SnapshotImporter.Result result = SnapshotImporter.importInto(reader, target, SnapshotProgress.NONE);
            assertThat(result.stateRoot()).isEqualTo(reader.manifest().stateRoot());
            assertThat(Files.exists(target.importStagingDirectory())).isFalse();
        }
    }

    @Test
    void importRefusesADirectoryThatHoldsAnotherChain() throws Exception {
        Path file = export(7, 1000);
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore other = ChainStore.open(tmp.resolve("other"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            ChainFixtures.commitNext(other, 1, 0);
            assertThatThrownBy(() -> SnapshotImporter.importInto(reader, other, SnapshotProgress.NONE))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessageContaining("already holds a chain (head at height 0)");
            // the snapshot's own chain counts as already imported
            assertThat(SnapshotImporter.importInto(reader, source, SnapshotProgress.NONE).alreadyImported()).isTrue();
        }
    }

    @Test
    void aFlippedByteInAChunkIsCaughtAndNamesTheChunk() throws Exception {
        Path file = export(7, 300);
        SnapshotManifest.ChunkInfo third;
        int total;
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            third = reader.manifest().chunks().get(2);
            total = reader.manifest().chunks().size();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) third.offset() + third.compressedBytes() / 2] ^= 0x10;
        Files.write(file, bytes);
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            reader.verifiedChunk(0);
            assertThatThrownBy(() -> reader.verifyAll(SnapshotProgress.NONE))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessage("chunk 2 of " + total + ": hash mismatch (the chunk was altered)");
            try (ChainStore target = ChainStore.open(tmp.resolve("t2"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                assertThatThrownBy(() -> SnapshotImporter.importInto(reader, target, SnapshotProgress.NONE))
                        .hasMessageContaining("chunk 2 of");
                assertThat(target.head()).isEmpty();
            }
        }
    }

    @Test
    void truncatedOrAlteredFilesAreRejectedBeforeAnyChunkIsRead() throws Exception {
        Path file = export(7, 300);
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = tmp.resolve("truncated.snap");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> SnapshotReader.open(truncated, DomainCodecs.DEFAULT))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("truncated");

        Path manifestEdit = tmp.resolve("manifest-edit.snap");
        byte[] edited = bytes.clone();
        edited[edited.length - SnapshotFormat.TRAILER_BYTES - 10] ^= 1;
        Files.write(manifestEdit, edited);
        assertThatThrownBy(() -> SnapshotReader.open(manifestEdit, DomainCodecs.DEFAULT))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("manifest hash mismatch");

        Path notASnapshot = tmp.resolve("not.snap");
        Files.write(notASnapshot, new byte[200]);
        assertThatThrownBy(() -> SnapshotReader.open(notASnapshot, DomainCodecs.DEFAULT))
                .hasMessageContaining("not a MeshChain snapshot");
    }

    /**
     * A forger who rewrites a chunk consistently (new hash in the manifest, new manifest hash in the
     * trailer) still cannot pass: the range proof ties the chunk's entries to the certified root.
     */
    @Test
    void aConsistentlyForgedChunkFailsItsRangeProof() throws Exception {
        Path file = export(7, 300);
        SnapshotManifest manifest;
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            manifest = reader.manifest();
        }
        byte[] original = Files.readAllBytes(file);
        int victim = 1;
        SnapshotManifest.ChunkInfo info = manifest.chunks().get(victim);
        byte[] chunkCompressed = java.util.Arrays.copyOfRange(original, (int) info.offset(),
                (int) info.offset() + info.compressedBytes());
        SmtRange range = SnapshotFormat.decodeChunk(SnapshotFormat.decompress(chunkCompressed, info.uncompressedBytes()));
        List<SmtEntry> forgedEntries = new ArrayList<>(range.entries());
        SmtEntry first = forgedEntries.getFirst();
        forgedEntries.set(0, new SmtEntry(first.path(), Bytes.of("stolen funds".getBytes())));
        byte[] forgedRaw = SnapshotFormat.encodeChunk(new SmtRange(forgedEntries, range.proof()));
        byte[] forgedCompressed = SnapshotFormat.compress(forgedRaw);

        // rebuild the file: chunks with the forged one, offsets shifted, manifest and trailer recomputed
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(SnapshotFormat.header());
        List<SnapshotManifest.ChunkInfo> chunks = new ArrayList<>();
        long offset = SnapshotFormat.HEADER_BYTES;
        for (int i = 0; i < manifest.chunks().size(); i++) {
            SnapshotManifest.ChunkInfo c = manifest.chunks().get(i);
            byte[] data = i == victim ? forgedCompressed
                    : java.util.Arrays.copyOfRange(original, (int) c.offset(), (int) c.offset() + c.compressedBytes());
            int raw = i == victim ? forgedRaw.length : c.uncompressedBytes();
            chunks.add(new SnapshotManifest.ChunkInfo(c.start(), c.end(), c.entries(), offset, data.length, raw,
                    Hashing.sha256(data)));
            out.write(data);
            offset += data.length;
        }
        byte[] manifestBytes = new SnapshotManifest(manifest.height(), manifest.stateRoot(), manifest.block(),
                manifest.certificate(), chunks).encode();
        out.write(manifestBytes);
        out.write(SnapshotFormat.trailer(offset, manifestBytes.length, Hashing.sha256(manifestBytes)));
        Path forged = tmp.resolve("forged.snap");
        Files.write(forged, out.toByteArray());

        try (SnapshotReader reader = SnapshotReader.open(forged, DomainCodecs.DEFAULT)) {
            assertThatThrownBy(() -> reader.verifyAll(SnapshotProgress.NONE))
                    .hasMessageStartingWith("chunk 1 of " + chunks.size() + ": range proof does not verify");
        }
        assertThat(ByteBuffer.wrap(original, original.length - SnapshotFormat.TRAILER_BYTES, 8)
                .order(ByteOrder.LITTLE_ENDIAN).getLong()).isPositive();
    }
}
