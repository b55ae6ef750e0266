package org.meshchain.bridge.micronode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A bounded least-recently-used cache in front of the {@link AtomicStore}. It is write-through: a
 * value is stored durably BEFORE it enters the cache, so evicting it never loses anything that was
 * only in memory; a miss reads the (hash-verified) store. Not thread-safe: the micronode owns it.
 */
public final class LruCache<V> {

    /** How values become bytes and back (decode must be strict: the bytes come from flash). */
    public interface Codec<V> {
        byte[] encode(V value);

        V decode(byte[] bytes) throws Exception;
    }

    private final AtomicStore store;
    private final String prefix;
    private final Codec<V> codec;
    private final int capacity;
    private final LinkedHashMap<String, V> entries;
    private long hits;
    private long misses;

    public LruCache(AtomicStore store, String prefix, Codec<V> codec, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
        }
        this.store = store;
        this.prefix = prefix;
        this.codec = codec;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > LruCache.this.capacity;
            }
        };
    }

    /** Stores durably, then caches. */
    public void put(String key, V value) throws java.io.IOException {
        store.write(prefix + key, codec.encode(value));
        entries.put(key, value);
    }

    public Optional<V> get(String key) throws java.io.IOException {
        V cached = entries.get(key);
        if (cached != null) {
            hits++;
            return Optional.of(cached);
        }
        misses++;
        Optional<byte[]> stored = store.read(prefix + key);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        V value;
        try {
            value = codec.decode(stored.get());
        } catch (Exception e) {
            throw new AtomicStore.CorruptFileException(store.directory().resolve(prefix + key), "undecodable: " + e.getMessage());
        }
        entries.put(key, value);
        return Optional.of(value);
    }

    public void remove(String key) throws java.io.IOException {
        store.delete(prefix + key);
        entries.remove(key);
    }

    public int cachedEntries() {
        return entries.size();
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }
}
