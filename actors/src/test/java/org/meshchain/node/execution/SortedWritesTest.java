package org.meshchain.node.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/** The parallel sort of a block's writes is the same sorted map a TreeMap would be. */
class SortedWritesTest {
    private static final ForkJoinPool POOL = new ForkJoinPool(3);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    private static Map<Hash32, Optional<Bytes>> randomWrites(long seed, int n) {
        Random random = new Random(seed);
        Map<Hash32, Optional<Bytes>> writes = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            Hash32 path = Hashing.sha256(("path" + seed + "/" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            writes.put(path, random.nextInt(5) == 0 ? Optional.empty() : Optional.of(Bytes.of(new byte[] {(byte) i, (byte) (i >> 8)})));
        }
        return writes;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 256})
    void sortsLikeATreeMapForAnyBucketCount(int buckets) {
        for (long seed = 0; seed < 20; seed++) {
            int n = (int) (seed * 97 % 3000);
            Map<Hash32, Optional<Bytes>> writes = randomWrites(seed, n);
            TreeMap<Hash32, Optional<Bytes>> expected = new TreeMap<>(writes);
            SortedWrites sorted = SortedWrites.sort(writes, POOL, buckets);
            assertThat(new ArrayList<>(sorted.entrySet())).containsExactlyElementsOf(new ArrayList<>(expected.entrySet()));
            assertThat(new TreeMap<>(sorted)).isEqualTo(expected);
            assertThat(sorted).hasSize(n);
            for (Hash32 path : writes.keySet()) {
                assertThat(sorted.get(path)).isEqualTo(expected.get(path));
                assertThat(sorted.containsKey(path)).isTrue();
            }
            assertThat(sorted.get(Hashing.sha256(new byte[] {1, 2, 3}))).isNull();
            if (n > 0) {
                assertThat(sorted.firstKey()).isEqualTo(expected.firstKey());
                assertThat(sorted.lastKey()).isEqualTo(expected.lastKey());
            }
        }
    }

    @Test
    void rangeViewsMatchTheTreeMapsViews() {
        Map<Hash32, Optional<Bytes>> writes = randomWrites(42, 500);
        TreeMap<Hash32, Optional<Bytes>> expected = new TreeMap<>(writes);
        SortedWrites sorted = SortedWrites.sort(writes, POOL, 8);
        List<Hash32> bounds = new ArrayList<>(List.of(Hash32.ZERO, Hash32.fromHex("ff".repeat(32)), Hash32.fromHex("80" + "00".repeat(31))));
        bounds.add(expected.firstKey());
        bounds.add(expected.lastKey());
        bounds.addAll(new ArrayList<>(expected.keySet()).subList(100, 110));
        for (Hash32 a : bounds) {
            assertThat(new HashMap<>(sorted.headMap(a))).isEqualTo(expected.headMap(a));
            assertThat(new HashMap<>(sorted.tailMap(a))).isEqualTo(expected.tailMap(a));
            assertThat(new ArrayList<>(sorted.tailMap(a).keySet())).containsExactlyElementsOf(expected.tailMap(a).keySet());
            for (Hash32 b : bounds) {
                if (a.compareTo(b) <= 0) {
                    SortedMap<Hash32, Optional<Bytes>> sub = sorted.subMap(a, b);
                    assertThat(new ArrayList<>(sub.keySet())).containsExactlyElementsOf(expected.subMap(a, b).keySet());
                } else {
                    assertThatThrownBy(() -> sorted.subMap(a, b)).isInstanceOf(IllegalArgumentException.class);
                }
            }
        }
        SortedMap<Hash32, Optional<Bytes>> empty = sorted.headMap(Hash32.ZERO);
        assertThat(empty).isEmpty();
        assertThatThrownBy(empty::firstKey).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(empty::lastKey).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> SortedWrites.sort(writes, POOL, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
