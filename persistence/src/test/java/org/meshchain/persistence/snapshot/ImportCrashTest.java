package org.meshchain.persistence.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.chain.ChainFixtures;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.state.StateStore;

/**
 * ADR 0055's durability claim under real crashes: a child JVM imports a snapshot in small batches
 * (SST files ingested, then a synced progress marker) and is killed with SIGKILL at random moments;
 * each next child resumes. After every kill the store has no head unless the import finished (and
 * then the head's state root is the certified one); at the end the import completes with the
 * certified root and exactly the snapshot's state.
 */
class ImportCrashTest {

    @TempDir
    Path tmp;

    /** The children's java.io.tmpdir (see {@link CrashingImporter#command}). */
    @TempDir
    Path childTmp;

    @Test
    void anImportKilledAtRandomMomentsResumesToTheCertifiedState() throws Exception {
        TreeMap<Hash32, Bytes> live = new TreeMap<>();
        Path file = tmp.resolve("state.snap");
        SnapshotManifest manifest;
        try (ChainStore source = ChainStore.open(tmp.resolve("source"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            StateStore state = new StateStore(source, 10_000, 1024);
            for (int b = 0; b < 4; b++) {
                TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
                for (int i = 0; i < 10_000; i++) {
                    Hash32 path = Hashing.sha256(ByteBuffer.allocate(8).putInt(b).putInt(i).array());
                    Bytes value = Bytes.of(ByteBuffer.allocate(16).putLong(b).putLong(i).array());
                    batch.put(path, SmtUpdate.put(path, value));
                    live.put(path, value);
                }
                ChainFixtures.commitWithState(source, state, new ArrayList<>(batch.values()), 1);
            }
            manifest = SnapshotExporter.export(source, state, 3, file, 400, SnapshotProgress.NONE);
        }
        Path target = tmp.resolve("target");
        // ~40 KB of state per batch: ~2 chunks each, so a kill lands between many ingestions
        long batchBytes = 40_000;
        Random random = new Random(20261121L);
        int kills = 0;
        int previouslyCounted = 0;
        Hash32 manifestHash;
        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT)) {
            manifestHash = reader.manifestHash();
        }
        for (int life = 0; life < 12; life++) {
            Process child = new ProcessBuilder(CrashingImporter.command(javaBinary(), System.getProperty("java.class.path"),
                    file, target, batchBytes, childTmp))
                    .redirectErrorStream(true)
                    .start();
            boolean finished;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).as("child start-up (life %d)", life).isEqualTo("ready");
                finished = child.waitFor(30 + random.nextInt(400), TimeUnit.MILLISECONDS);
                if (!finished) {
                    child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no RocksDB close
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    kills++;
                } else {
                    assertThat(child.exitValue()).as("child exit (life %d)", life).isZero();
                }
            }
            try (ChainStore store = ChainStore.open(target, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                if (store.head().isPresent()) {
                    assertThat(store.snapshotImportProgress()).isEmpty();
                    assertThat(new StateStore(store, 100, 1024).tree().rootHash(4)).isEqualTo(manifest.stateRoot());
                    break;
                }
                var marker = store.snapshotImportProgress();
                if (marker.isPresent()) {
                    // the marker names this snapshot and never goes back: each life resumes, none restarts
                    assertThat(Hash32.of(java.util.Arrays.copyOf(marker.get(), 32))).isEqualTo(manifestHash);
                    int counted = ByteBuffer.wrap(marker.get()).getInt(32);
                    assertThat(counted).as("chunks counted after life %d", life).isGreaterThanOrEqualTo(previouslyCounted);
                    previouslyCounted = counted;
                }
            }
        }
        assertThat(kills).as("kills that landed inside the import").isGreaterThanOrEqualTo(3);
        assertThat(previouslyCounted).as("chunks made durable by killed lives").isPositive();

        try (SnapshotReader reader = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                ChainStore store = ChainStore.open(target, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            SnapshotImporter.Result result = SnapshotImporter.importInto(reader, store, SnapshotProgress.NONE, batchBytes);
            assertThat(store.head().orElseThrow().height()).isEqualTo(3);
            assertThat(result.alreadyImported() || result.stateRoot().equals(manifest.stateRoot())).isTrue();
            StateStore imported = new StateStore(store, 1_000, 1024);
            assertThat(imported.tree().rootHash(4)).isEqualTo(manifest.stateRoot());
            for (var entry : live.entrySet()) {
                assertThat(imported.valueAtHead(entry.getKey())).contains(entry.getValue());
            }
            for (int i = 0; i < 200; i++) {
                Hash32 path = live.keySet().stream().skip(random.nextInt(live.size())).findFirst().orElseThrow();
                assertThat(imported.valueAt(4, path)).contains(live.get(path));
            }
            try (SnapshotReader again = SnapshotReader.open(file, DomainCodecs.DEFAULT);
                    ChainStore clean = ChainStore.open(tmp.resolve("clean"), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                SnapshotImporter.importInto(again, clean, SnapshotProgress.NONE);
                assertThat(imported.nodeCount()).isEqualTo(new StateStore(clean, 0, 1024).nodeCount());
            }
        }
        System.out.printf("import crash test: %d kills inside the import, %d of %d chunks counted before the last life%n",
                kills, previouslyCounted, manifest.chunks().size());
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
