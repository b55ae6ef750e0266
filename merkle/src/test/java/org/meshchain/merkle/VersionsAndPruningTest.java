package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

class VersionsAndPruningTest {

    @Test
    void pruningFreesStaleNodesAndRetainedVersionsStillReadAndProve() {
        Random random = new Random(7);
        List<Hash32> pool = Scenarios.pathPool(random, 400);
        InMemoryNodeStore store = new InMemoryNodeStore();
        SparseMerkleTree tree = new SparseMerkleTree(store);
        List<TreeMap<Hash32, Bytes>> stateByVersion = new ArrayList<>();
        stateByVersion.add(new TreeMap<>());
        TreeMap<Hash32, Bytes> state = new TreeMap<>();
        for (int version = 1; version <= 30; version++) {
            List<SmtUpdate> batch = Scenarios.batch(random, pool, 60);
            tree.apply(version - 1, batch);
            Scenarios.applyToMap(state, batch);
            stateByVersion.add(new TreeMap<>(state));
        }
        long nodesBefore = store.nodeCount();
        long freed = tree.prune(25);
        assertThat(freed).isPositive();
        assertThat(store.nodeCount()).isEqualTo(nodesBefore - freed);
        assertThat(tree.oldestRetainedVersion()).isEqualTo(25);

        // What is left is exactly what versions 25..30 reach: count it by walking them.
        assertThat(store.nodeCount()).isEqualTo(reachableNodes(store, 25, 30));

        for (int version = 25; version <= 30; version++) {
            TreeMap<Hash32, Bytes> expected = stateByVersion.get(version);
            Hash32 root = tree.rootHash(version);
            assertThat(root).isEqualTo(ReferenceSmt.root(expected));
            for (Hash32 path : pool) {
                Bytes value = expected.get(path);
                assertThat(tree.get(version, path)).isEqualTo(java.util.Optional.ofNullable(value));
                SmtProof proof = tree.prove(version, path);
                if (value == null) {
                    assertThat(SmtProof.verifyNonMembership(root, path, proof)).isTrue();
                } else {
                    assertThat(SmtProof.verifyMembership(root, path, value.toByteArray(), proof)).isTrue();
                }
            }
            SmtRange range = tree.range(version, rangeStart(pool), rangeEnd(pool));
            assertThat(range.entries()).hasSize(expected.subMap(rangeStart(pool), true, rangeEnd(pool), true).size());
            assertThat(SmtRangeProof.verify(root, rangeStart(pool), rangeEnd(pool), range.entries(), range.proof())).isTrue();
        }
        for (long pruned = 0; pruned < 25; pruned++) {
            long version = pruned;
            assertThatThrownBy(() -> tree.get(version, pool.get(0))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tree.prove(version, pool.get(0))).isInstanceOf(IllegalArgumentException.class);
        }

        // Pruning to the latest version leaves only the nodes of the latest tree.
        tree.prune(30);
        assertThat(store.nodeCount()).isEqualTo(reachableNodes(store, 30, 30));
        assertThat(tree.rootHash(30)).isEqualTo(ReferenceSmt.root(state));
        assertThat(tree.apply(30, List.of(SmtUpdate.put(pool.get(0), Bytes.of(new byte[] {1})))).version()).isEqualTo(31);
    }

    @Test
    void batchesApplyOnlyToTheLatestVersionAndMustBeSorted() {
        SparseMerkleTree tree = new SparseMerkleTree(new InMemoryNodeStore());
        Hash32 low = Hash32.fromHex("00".repeat(32));
        Hash32 high = Hash32.fromHex("ff".repeat(32));
        tree.apply(0, List.of(SmtUpdate.put(low, Bytes.of(new byte[] {1}))));
        assertThatThrownBy(() -> tree.apply(0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.apply(1, List.of(SmtUpdate.delete(high), SmtUpdate.delete(low))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.apply(1, List.of(SmtUpdate.delete(low), SmtUpdate.delete(low))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tree.latestVersion()).isEqualTo(1);
    }

    @Test
    void aStoreThatDoesNotMemoiseGetsNodesWithoutChildLinks() {
        InMemoryNodeStore nodes = new InMemoryNodeStore();
        NodeStore bounded = new ForwardingNodeStore(nodes, false);
        Random random = new Random(3);
        List<Hash32> pool = Scenarios.pathPool(random, 200);
        SparseMerkleTree tree = new SparseMerkleTree(bounded);
        SparseMerkleTree reference = new SparseMerkleTree(new InMemoryNodeStore());
        for (int version = 1; version <= 10; version++) {
            List<SmtUpdate> batch = Scenarios.batch(random, pool, 40);
            assertThat(tree.apply(version - 1, batch).root()).isEqualTo(reference.apply(version - 1, batch).root());
        }
        for (Hash32 path : pool) {
            assertThat(tree.get(10, path)).isEqualTo(reference.get(10, path));
            assertThat(tree.prove(10, path)).isEqualTo(reference.prove(10, path));
        }
        java.util.ArrayDeque<NodeKey> pending = new java.util.ArrayDeque<>();
        for (long version = 0; version <= 10; version++) {
            pending.push(bounded.root(version));
        }
        int inner = 0;
        while (!pending.isEmpty()) {
            NodeKey key = pending.pop();
            if (!key.isEmpty() && bounded.node(key) instanceof InnerNode node) {
                assertThat(node.cachedChild(0)).isNull();
                assertThat(node.cachedChild(1)).isNull();
                inner++;
                pending.push(node.left());
                pending.push(node.right());
            }
        }
        assertThat(inner).isPositive();
    }

    private static Hash32 rangeStart(List<Hash32> pool) {
        return pool.get(0).compareTo(pool.get(1)) < 0 ? pool.get(0) : pool.get(1);
    }

    private static Hash32 rangeEnd(List<Hash32> pool) {
        return pool.get(0).compareTo(pool.get(1)) < 0 ? pool.get(1) : pool.get(0);
    }

    private static long reachableNodes(NodeStore store, long fromVersion, long toVersion) {
        java.util.HashSet<NodeKey> seen = new java.util.HashSet<>();
        for (long version = fromVersion; version <= toVersion; version++) {
            java.util.ArrayDeque<NodeKey> pending = new java.util.ArrayDeque<>();
            pending.push(store.root(version));
            while (!pending.isEmpty()) {
                NodeKey key = pending.pop();
                if (key.isEmpty() || !seen.add(key)) {
                    continue;
                }
                SmtNode node = store.node(key);
                assertThat(node).as("node %s reachable from version %s", key, version).isNotNull();
                if (node instanceof InnerNode inner) {
                    pending.push(inner.left());
                    pending.push(inner.right());
                }
            }
        }
        return seen.size();
    }
}
