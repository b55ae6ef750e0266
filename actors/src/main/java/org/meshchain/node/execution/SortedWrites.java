package org.meshchain.node.execution;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/**
 * A block's published writes sorted by path, with the sorting split over a fork-join pool: the paths are
 * hashes, so bucketing them by their first byte gives ranges of similar size that sort independently and
 * concatenate in order. The result is a read-only {@link SortedMap} over the sorted array, so
 * {@code new TreeMap<>(it)} is a linear copy (TreeMap builds from a sorted map without comparing keys):
 * that takes the O(n log n) sort out of the serial end of a block.
 */
final class SortedWrites extends AbstractMap<Hash32, Optional<Bytes>> implements SortedMap<Hash32, Optional<Bytes>> {

    private static final Comparator<Map.Entry<Hash32, Optional<Bytes>>> BY_PATH = Map.Entry.comparingByKey();

    private final Map.Entry<Hash32, Optional<Bytes>>[] entries;
    private final int from;
    private final int to;

    private SortedWrites(Map.Entry<Hash32, Optional<Bytes>>[] entries, int from, int to) {
        this.entries = entries;
        this.from = from;
        this.to = to;
    }

    /** Sorts {@code writes} by path in {@code buckets} parallel parts on {@code pool} (1..256 buckets). */
    @SuppressWarnings("unchecked")
    static SortedWrites sort(Map<Hash32, Optional<Bytes>> writes, ForkJoinPool pool, int buckets) {
        if (buckets < 1 || buckets > 256) {
            throw new IllegalArgumentException("buckets must be in 1..256, got " + buckets);
        }
        List<List<Map.Entry<Hash32, Optional<Bytes>>>> parts = new ArrayList<>(buckets);
        for (int b = 0; b < buckets; b++) {
            parts.add(new ArrayList<>(writes.size() / buckets + 16));
        }
        for (Map.Entry<Hash32, Optional<Bytes>> e : writes.entrySet()) {
            // bucket b holds first bytes [256 * b / buckets, 256 * (b + 1) / buckets): ranges in path order
            parts.get((e.getKey().get(0) & 0xFF) * buckets / 256).add(new SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        Map.Entry<Hash32, Optional<Bytes>>[][] sorted = new Map.Entry[buckets][];
        List<ForkJoinTask<?>> tasks = new ArrayList<>(buckets);
        for (int b = 0; b < buckets; b++) {
            int bucket = b;
            tasks.add(pool.submit(() -> {
                Map.Entry<Hash32, Optional<Bytes>>[] part = parts.get(bucket).toArray(new Map.Entry[0]);
                Arrays.sort(part, BY_PATH);
                sorted[bucket] = part;
            }));
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
        Map.Entry<Hash32, Optional<Bytes>>[] all = new Map.Entry[writes.size()];
        int n = 0;
        for (Map.Entry<Hash32, Optional<Bytes>>[] part : sorted) {
            System.arraycopy(part, 0, all, n, part.length);
            n += part.length;
        }
        if (n != all.length) {
            throw new IllegalStateException("writes changed while they were sorted: " + n + " of " + all.length);
        }
        return new SortedWrites(all, 0, n);
    }

    @Override
    public Comparator<? super Hash32> comparator() {
        return null; // natural order of Hash32
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public Optional<Bytes> get(Object key) {
        if (!(key instanceof Hash32 path)) {
            return null;
        }
        int i = indexOf(path);
        return i >= 0 ? entries[i].getValue() : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof Hash32 path && indexOf(path) >= 0;
    }

    /** Index of {@code path} in [from, to), or -(insertion point) - 1. */
    private int indexOf(Hash32 path) {
        int lo = from;
        int hi = to - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = entries[mid].getKey().compareTo(path);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** First index in [from, to) whose path is >= {@code path}. */
    private int lowerBound(Hash32 path) {
        int i = indexOf(path);
        return i >= 0 ? i : -(i + 1);
    }

    @Override
    public Set<Map.Entry<Hash32, Optional<Bytes>>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<Hash32, Optional<Bytes>>> iterator() {
                return new Iterator<>() {
                    private int next = from;

                    @Override
                    public boolean hasNext() {
                        return next < to;
                    }

                    @Override
                    public Map.Entry<Hash32, Optional<Bytes>> next() {
                        if (next >= to) {
                            throw new NoSuchElementException();
                        }
                        return entries[next++];
                    }
                };
            }

            @Override
            public int size() {
                return to - from;
            }
        };
    }

    @Override
    public SortedMap<Hash32, Optional<Bytes>> subMap(Hash32 fromKey, Hash32 toKey) {
        if (fromKey.compareTo(toKey) > 0) {
            throw new IllegalArgumentException("fromKey > toKey");
        }
        return new SortedWrites(entries, lowerBound(fromKey), lowerBound(toKey));
    }

    @Override
    public SortedMap<Hash32, Optional<Bytes>> headMap(Hash32 toKey) {
        return new SortedWrites(entries, from, lowerBound(toKey));
    }

    @Override
    public SortedMap<Hash32, Optional<Bytes>> tailMap(Hash32 fromKey) {
        return new SortedWrites(entries, lowerBound(fromKey), to);
    }

    @Override
    public Hash32 firstKey() {
        if (from >= to) {
            throw new NoSuchElementException();
        }
        return entries[from].getKey();
    }

    @Override
    public Hash32 lastKey() {
        if (from >= to) {
            throw new NoSuchElementException();
        }
        return entries[to - 1].getKey();
    }
}
