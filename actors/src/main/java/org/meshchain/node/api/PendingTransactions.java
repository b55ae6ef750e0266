package org.meshchain.node.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.meshchain.core.crypto.Hash32;

/**
 * Transactions the mempool accepted through this API server, so {@code GET /v1/transactions/{hash}}
 * can answer "pending" before they commit. Bounded: the oldest entry is forgotten first.
 */
final class PendingTransactions {

    record Pending(long expiryHeight, long acceptedAtMillis) {}

    private final int capacity;
    private final LinkedHashMap<Hash32, Pending> entries;

    PendingTransactions(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash32, Pending> eldest) {
                return size() > PendingTransactions.this.capacity;
            }
        };
    }

    synchronized void add(Hash32 id, long expiryHeight, long nowMillis) {
        if (capacity > 0) {
            entries.put(id, new Pending(expiryHeight, nowMillis));
        }
    }

    synchronized Optional<Pending> get(Hash32 id) {
        return Optional.ofNullable(entries.get(id));
    }

    synchronized void remove(Hash32 id) {
        entries.remove(id);
    }
}
