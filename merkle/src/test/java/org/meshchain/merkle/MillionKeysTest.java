package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/** 1,000,000 keys build and update in the default surefire JVM (no heap flags), in seconds. */
class MillionKeysTest {

    private static final int KEYS = 1_000_000;
    private static final int BATCHES = 20;
    private static final int BATCH = 1_000;
    private static final int RETAINED = 4;

    @Test
    void aMillionKeysBuildUpdateProveAndPrune() {
        SplittableRandom random = new SplittableRandom(1_000_000);
        List<Hash32> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add(randomPath(random));
        }
        keys.sort(null);
        List<SmtUpdate> puts = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            assertThat(i == 0 || keys.get(i - 1).compareTo(keys.get(i)) < 0).as("distinct random paths").isTrue();
            puts.add(SmtUpdate.put(keys.get(i), value(random)));
        }
        InMemoryNodeStore store = new InMemoryNodeStore();
        SparseMerkleTree tree = new SparseMerkleTree(store);
        CommitResult built = tree.apply(0, puts);
        puts = null;
        // n leaves and n - 1 branching inner nodes, plus inner nodes with one empty child.
        assertThat(built.nodesCreated()).isGreaterThanOrEqualTo(2 * KEYS - 1);

        for (int batch = 0; batch < BATCHES; batch++) {
            TreeMap<Hash32, SmtUpdate> updates = new TreeMap<>();
            while (updates.size() < BATCH) {
                Hash32 path = keys.get(random.nextInt(KEYS));
                updates.put(path, SmtUpdate.put(path, value(random)));
            }
            long version = tree.latestVersion();
            CommitResult result = tree.apply(version, new ArrayList<>(updates.values()));
            // O(k log n): about one leaf and the inner nodes below the shared top per update.
            assertThat(result.nodesCreated()).isLessThan(BATCH * 30);
            tree.prune(Math.max(0, result.version() - RETAINED + 1));
        }
        long latest = tree.latestVersion();
        assertThat(tree.oldestRetainedVersion()).isEqualTo(latest - RETAINED + 1);
        // Pruning keeps memory bounded: the build's nodes plus a few batches' worth, not every version's.
        assertThat(store.nodeCount()).isLessThan(built.nodesCreated() + (long) RETAINED * BATCH * 30);

        // Insert 1,000 new keys, delete them again: the root is restored exactly.
        Hash32 before = tree.rootHash(latest);
        TreeMap<Hash32, SmtUpdate> fresh = new TreeMap<>();
        while (fresh.size() < BATCH) {
            Hash32 path = randomPath(random);
            fresh.put(path, SmtUpdate.put(path, value(random)));
        }
        tree.apply(latest, new ArrayList<>(fresh.values()));
        List<SmtUpdate> deletes = new ArrayList<>();
        fresh.keySet().forEach(path -> deletes.add(SmtUpdate.delete(path)));
        assertThat(tree.apply(latest + 1, deletes).root()).isEqualTo(before);

        // Every retained version still proves: sample keys against each retained root.
        for (long version = tree.oldestRetainedVersion(); version <= tree.latestVersion(); version++) {
            Hash32 root = tree.rootHash(version);
            for (int i = 0; i < 200; i++) {
                Hash32 path = keys.get(random.nextInt(KEYS));
                Bytes value = tree.get(version, path).orElseThrow();
                assertThat(SmtProof.verifyMembership(root, path, value.toByteArray(), tree.prove(version, path))).isTrue();
                Hash32 absent = randomPath(random);
                assertThat(SmtProof.verifyNonMembership(root, absent, tree.prove(version, absent))).isTrue();
            }
        }
    }

    private static Hash32 randomPath(SplittableRandom random) {
        byte[] path = new byte[Hash32.LENGTH];
        random.nextBytes(path);
        return Hash32.of(path);
    }

    private static Bytes value(SplittableRandom random) {
        byte[] value = new byte[32];
        random.nextBytes(value);
        return Bytes.of(value);
    }
}
