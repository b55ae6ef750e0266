package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

class TreeVersusReferenceTest {

    @Property(tries = 200)
    void randomBatchesGiveTheReferenceRootAndValues(@ForAll long seed) {
        Random random = new Random(seed);
        List<Hash32> pool = Scenarios.pathPool(random, 40);
        SparseMerkleTree tree = new SparseMerkleTree(new InMemoryNodeStore());
        TreeMap<Hash32, Bytes> state = new TreeMap<>();
        List<Hash32> rootsByVersion = new ArrayList<>(List.of(Hash32.ZERO));
        for (int round = 0; round < 8; round++) {
            List<SmtUpdate> batch = Scenarios.batch(random, pool, 25);
            CommitResult result = tree.apply(tree.latestVersion(), batch);
            Scenarios.applyToMap(state, batch);
            assertThat(result.version()).isEqualTo(round + 1);
            assertThat(result.root()).isEqualTo(ReferenceSmt.root(state)).isEqualTo(tree.rootHash(result.version()));
            rootsByVersion.add(result.root());
            for (Hash32 path : pool) {
                assertThat(tree.get(result.version(), path)).isEqualTo(java.util.Optional.ofNullable(state.get(path)));
            }
        }
        // Older versions are untouched by later batches.
        for (int version = 0; version < rootsByVersion.size(); version++) {
            assertThat(tree.rootHash(version)).isEqualTo(rootsByVersion.get(version));
        }
    }

    @Property(tries = 100)
    void rootDoesNotDependOnInsertionOrderOrBatching(@ForAll long seed) {
        Random random = new Random(seed);
        List<Hash32> pool = Scenarios.pathPool(random, 30);
        TreeMap<Hash32, Bytes> entries = new TreeMap<>();
        for (Hash32 path : pool) {
            entries.put(path, Scenarios.value(random));
        }
        Hash32 allAtOnce = Scenarios.treeWith(entries).rootHash(1);

        // Same entries in random small batches, each path inserted once, in shuffled order.
        List<Hash32> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, random);
        SparseMerkleTree tree = new SparseMerkleTree(new InMemoryNodeStore());
        for (int from = 0; from < shuffled.size(); ) {
            int to = Math.min(shuffled.size(), from + 1 + random.nextInt(5));
            TreeMap<Hash32, Bytes> chunk = new TreeMap<>();
            for (Hash32 path : shuffled.subList(from, to)) {
                chunk.put(path, entries.get(path));
            }
            tree.apply(tree.latestVersion(), Scenarios.putsOf(chunk));
            from = to;
        }
        assertThat(tree.rootHash(tree.latestVersion())).isEqualTo(allAtOnce).isEqualTo(ReferenceSmt.root(entries));
    }

    @Property(tries = 100)
    void deletingKeysRestoresTheRootWithoutThem(@ForAll long seed) {
        Random random = new Random(seed);
        List<Hash32> pool = Scenarios.pathPool(random, 40);
        TreeMap<Hash32, Bytes> base = new TreeMap<>();
        TreeMap<Hash32, Bytes> extra = new TreeMap<>();
        for (Hash32 path : pool) {
            (random.nextBoolean() ? base : extra).put(path, Scenarios.value(random));
        }
        SparseMerkleTree tree = Scenarios.treeWith(base);
        Hash32 baseRoot = tree.rootHash(1);

        tree.apply(1, Scenarios.putsOf(extra));
        List<SmtUpdate> deletes = new ArrayList<>();
        extra.keySet().forEach(path -> deletes.add(SmtUpdate.delete(path)));
        CommitResult deleted = tree.apply(2, deletes);
        assertThat(deleted.root()).isEqualTo(baseRoot);

        // Delete then re-insert one key of the base: back to the same root again.
        if (!base.isEmpty()) {
            Hash32 path = base.firstKey();
            assertThat(tree.apply(3, List.of(SmtUpdate.delete(path))).root()).isNotEqualTo(baseRoot);
            assertThat(tree.apply(4, List.of(SmtUpdate.put(path, base.get(path)))).root()).isEqualTo(baseRoot);
        }
    }

    @Property(tries = 100)
    void noOpUpdatesKeepTheRootAndCreateNoNodes(@ForAll long seed) {
        Random random = new Random(seed);
        List<Hash32> pool = Scenarios.pathPool(random, 30);
        TreeMap<Hash32, Bytes> entries = new TreeMap<>();
        for (Hash32 path : pool.subList(0, 20)) {
            entries.put(path, Scenarios.value(random));
        }
        SparseMerkleTree tree = Scenarios.treeWith(entries);
        List<SmtUpdate> noOps = new ArrayList<>(Scenarios.putsOf(entries));
        pool.subList(20, 30).forEach(path -> noOps.add(SmtUpdate.delete(path)));
        noOps.sort((a, b) -> a.path().compareTo(b.path()));
        CommitResult result = tree.apply(1, noOps);
        assertThat(result.root()).isEqualTo(tree.rootHash(1));
        assertThat(result.nodesCreated()).isZero();
        assertThat(result.nodesMadeStale()).isZero();
    }
}
