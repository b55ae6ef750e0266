package org.meshchain.node.execution;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.SignedTransaction;

/**
 * Ids of transactions whose signature this node has already verified (ADR 0041). A transaction id is
 * the hash of its canonical bytes, signature and signer key included, and {@link
 * SignedTransaction#hasValidSignature()} is a pure function of those bytes, so "this id verified once"
 * means "it verifies now": the executor can skip the check for ids found here and stays deterministic.
 * Only positive verdicts are stored, and an id not found is verified in full (never trusted).
 *
 * <p>Bounded: at most {@code capacity} ids, the oldest evicted first (insertion order, a ring).
 * Thread-safe: the mempool actor adds, executor threads look up concurrently (lookups take no lock).
 * Capacity 0 disables the cache (every lookup misses, nothing is stored).
 */
public final class VerifiedSignatures {

    /** Counters for metrics (hits, misses), read by the node's metrics registry. */
    public interface Listener {
        void hit();

        void miss();

        Listener NONE = new Listener() {
            @Override
            public void hit() {}

            @Override
            public void miss() {}
        };
    }

    /** A cache that never holds anything: every transaction is verified. */
    public static final VerifiedSignatures DISABLED = new VerifiedSignatures(0, Listener.NONE);

    private final int capacity;
    private final Set<Hash32> ids;
    private final Hash32[] ring;
    private int next;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private volatile Listener listener;

    public VerifiedSignatures(int capacity, Listener listener) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.ids = ConcurrentHashMap.newKeySet(Math.max(16, capacity));
        this.ring = new Hash32[capacity];
        this.listener = listener;
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    public int capacity() {
        return capacity;
    }

    /** Records that the transaction with this id passed {@link SignedTransaction#hasValidSignature()}. */
    public void verified(Hash32 txId) {
        if (capacity == 0) {
            return;
        }
        synchronized (ring) {
            if (!ids.add(txId)) {
                return;
            }
            Hash32 evicted = ring[next];
            if (evicted != null) {
                ids.remove(evicted);
            }
            ring[next] = txId;
            next = (next + 1) % capacity;
        }
    }

    /** The signature verdict of {@code tx}: from the cache when its id is known valid, else verified now. */
    public boolean hasValidSignature(SignedTransaction tx) {
        if (capacity > 0 && ids.contains(tx.id())) {
            hits.increment();
            listener.hit();
            return true;
        }
        misses.increment();
        listener.miss();
        boolean valid = tx.hasValidSignature();
        if (valid) {
            verified(tx.id()); // executed from a proposal before gossip brought it: the mempool need not verify it again
        }
        return valid;
    }

    /** True if this id passed {@link SignedTransaction#hasValidSignature()} here (no metrics counted). */
    public boolean isKnownValid(Hash32 txId) {
        return capacity > 0 && ids.contains(txId);
    }

    public int size() {
        return ids.size();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }
}
