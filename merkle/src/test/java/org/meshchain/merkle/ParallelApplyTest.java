package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/** {@link SparseMerkleTree#applyInParallel} builds exactly the tree {@link SparseMerkleTree#apply} builds. */
class ParallelApplyTest {

    static final ForkJoinPool POOL = new ForkJoinPool(4);

    @AfterContainer
    static void shutdown() {
        POOL.shutdownNow();
    }

    static Hash32 path(int key) {
        return Hashing.sha256(ByteBuffer.allocate(4).putInt(key).array());
    }

    @Property(tries = 60)
    void sameRootsNodesAndValuesAsSequential(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int forkDepth,
                                             @ForAll @IntRange(min = 1, max = 2_000) int keySpace) {
        Random random = new Random(seed);
        SparseMerkleTree sequential = new SparseMerkleTree(new InMemoryNodeStore());
        SparseMerkleTree parallel = new SparseMerkleTree(new InMemoryNodeStore());
        for (int b = 0; b < 6; b++) {
            TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
            int size = random.nextInt(Math.min(keySpace, 400) + 1);
            for (int i = 0; i < size; i++) {
                Hash32 p = path(random.nextInt(keySpace));
                batch.put(p, random.nextInt(6) == 0 ? SmtUpdate.delete(p)
                        : SmtUpdate.put(p, Bytes.of(ByteBuffer.allocate(8).putLong(random.nextInt(4)).array())));
            }
            List<SmtUpdate> updates = new ArrayList<>(batch.values());
            CommitResult s = sequential.apply(sequential.latestVersion(), updates);
            CommitResult p = parallel.applyInParallel(parallel.latestVersion(), updates, POOL, forkDepth);
            assertThat(p).isEqualTo(s);
            assertThat(parallel.hashCalls()).isEqualTo(sequential.hashCalls());
        }
        long v = sequential.latestVersion();
        for (int k = 0; k < Math.min(keySpace, 300); k++) {
            assertThat(parallel.get(v, path(k))).isEqualTo(sequential.get(v, path(k)));
        }
    }
}
