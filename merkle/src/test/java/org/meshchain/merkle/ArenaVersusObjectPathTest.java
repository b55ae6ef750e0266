package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/**
 * The tree on the in-memory arena (batches by record reference, ADR 0050) and the tree's object path
 * (node objects through the {@link NodeStore} port, as over RocksDB) are the same tree: same roots,
 * same nodes created and made stale, same nodes freed by pruning, same reads and proofs. The object
 * path here runs over a store that only delegates to another arena, so the arena's by-key methods
 * (commit of node objects, lookup by key) are exercised too, sequentially and with fork/join.
 */
class ArenaVersusObjectPathTest {

    static final ForkJoinPool POOL = new ForkJoinPool(3);

    @AfterContainer
    static void shutdown() {
        POOL.shutdownNow();
    }

    @Property(tries = 60)
    void arenaAndObjectPathBuildTheSameVersions(@ForAll long seed) {
        Random random = new Random(seed);
        List<Hash32> pool = Scenarios.pathPool(random, 150);
        InMemoryNodeStore arenaStore = new InMemoryNodeStore();
        InMemoryNodeStore behindPort = new InMemoryNodeStore();
        SparseMerkleTree arena = new SparseMerkleTree(arenaStore);
        SparseMerkleTree objects = new SparseMerkleTree(new ForwardingNodeStore(behindPort));
        boolean parallel = random.nextBoolean();
        for (int version = 1; version <= 12; version++) {
            List<SmtUpdate> batch = Scenarios.batch(random, pool, 50);
            CommitResult expected = parallel
                    ? objects.applyInParallel(version - 1, batch, POOL, 1 + random.nextInt(4))
                    : objects.apply(version - 1, batch);
            assertThat(arena.apply(version - 1, batch)).isEqualTo(expected);
            // Only an unchanged put costs the arena a hash more (it compares value hashes).
            assertThat(arena.hashCalls()).isGreaterThanOrEqualTo(objects.hashCalls());
            if (version % 4 == 0) {
                long prunedTo = version - 1 - random.nextInt(3);
                assertThat(arena.prune(prunedTo)).isEqualTo(objects.prune(prunedTo));
                assertThat(arenaStore.nodeCount()).isEqualTo(behindPort.nodeCount());
            }
        }
        for (long version = arena.oldestRetainedVersion(); version <= arena.latestVersion(); version++) {
            assertThat(arenaStore.root(version)).isEqualTo(behindPort.root(version));
            for (Hash32 path : pool) {
                Optional<Bytes> value = arena.get(version, path);
                assertThat(value).isEqualTo(objects.get(version, path));
                SmtProof proof = arena.prove(version, path);
                assertThat(proof).isEqualTo(objects.prove(version, path));
            }
            Hash32 low = pool.get(0).compareTo(pool.get(1)) < 0 ? pool.get(0) : pool.get(1);
            Hash32 high = pool.get(0).compareTo(pool.get(1)) < 0 ? pool.get(1) : pool.get(0);
            assertThat(arena.range(version, low, high)).isEqualTo(objects.range(version, low, high));
        }
        // The arena answers by-key lookups too (its key index is built on first use).
        NodeKey root = arenaStore.root(arena.latestVersion());
        if (!root.isEmpty()) {
            assertThat(arenaStore.node(root).key()).isEqualTo(root);
        }
    }
}
