package org.meshchain.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/** Random paths, values and batches for the property tests (seeded, so failures reproduce). */
final class Scenarios {

    private Scenarios() {
    }

    /**
     * A pool of paths where many share long prefixes (down to differing only in the last bit), so
     * that deep inner chains with empty siblings, and leaves that must move, are common.
     */
    static List<Hash32> pathPool(Random random, int size) {
        List<Hash32> pool = new ArrayList<>();
        while (pool.size() < size) {
            byte[] path = new byte[Hash32.LENGTH];
            random.nextBytes(path);
            if (!pool.isEmpty() && random.nextInt(3) == 0) {
                // Copy a random-length prefix of an existing path, then differ at the next bit.
                byte[] base = pool.get(random.nextInt(pool.size())).toByteArray();
                int shared = random.nextInt(SparseMerkleTree.DEPTH);
                for (int bit = 0; bit <= shared; bit++) {
                    int mask = 0x80 >>> (bit & 7);
                    int value = bit < shared ? base[bit >>> 3] & mask : ~base[bit >>> 3] & mask;
                    path[bit >>> 3] = (byte) ((path[bit >>> 3] & ~mask) | value);
                }
            }
            Hash32 candidate = Hash32.of(path);
            if (!pool.contains(candidate)) {
                pool.add(candidate);
            }
        }
        return pool;
    }

    static Bytes value(Random random) {
        byte[] value = new byte[random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(40)];
        random.nextBytes(value);
        return Bytes.of(value);
    }

    static Hash32 randomPath(Random random) {
        byte[] path = new byte[Hash32.LENGTH];
        random.nextBytes(path);
        return Hash32.of(path);
    }

    /** A sorted batch over {@code pool}: puts (new or overwriting) and deletes (present or absent). */
    static List<SmtUpdate> batch(Random random, List<Hash32> pool, int maxSize) {
        TreeMap<Hash32, SmtUpdate> byPath = new TreeMap<>();
        int size = random.nextInt(maxSize + 1);
        for (int i = 0; i < size; i++) {
            Hash32 path = pool.get(random.nextInt(pool.size()));
            byPath.put(path, random.nextInt(4) == 0 ? SmtUpdate.delete(path) : SmtUpdate.put(path, value(random)));
        }
        return new ArrayList<>(byPath.values());
    }

    static void applyToMap(SortedMap<Hash32, Bytes> state, List<SmtUpdate> batch) {
        for (SmtUpdate update : batch) {
            if (update.isDelete()) {
                state.remove(update.path());
            } else {
                state.put(update.path(), update.value());
            }
        }
    }

    static List<SmtUpdate> putsOf(Map<Hash32, Bytes> entries) {
        List<SmtUpdate> puts = new ArrayList<>();
        new TreeMap<>(entries).forEach((path, value) -> puts.add(SmtUpdate.put(path, value)));
        return puts;
    }

    static SparseMerkleTree treeWith(SortedMap<Hash32, Bytes> entries) {
        SparseMerkleTree tree = new SparseMerkleTree(new InMemoryNodeStore());
        tree.apply(0, putsOf(entries));
        return tree;
    }
}
