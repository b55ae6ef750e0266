package org.meshchain.core.ledger;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/**
 * Writes of one transaction (or of one payload attempt inside it) buffered over a base state: reads see
 * the buffer first, then the base; nothing reaches the base unless {@link #mergeInto} is called. A
 * failed payload's buffer is simply dropped. Not thread-safe: one transaction runs on one thread.
 *
 * <p>With an {@link AccessGuard}, every read and write must lie inside the transaction's access set
 * (declared or derived). The parallel executor relies on that to be serial-equivalent; a breach is a bug
 * in the derivation (never a transaction outcome), so it throws {@link AccessGuard.Breach}.
 */
public final class StateBuffer implements ContractRuntime.ContractState, StateReader {

    /** The paths a transaction may read and write; writes are readable too. */
    public record AccessGuard(Set<Hash32> reads, Set<Hash32> writes) {
        public AccessGuard {
            reads = Set.copyOf(reads);
            writes = Set.copyOf(writes);
        }

        void checkRead(Hash32 path) {
            if (!reads.contains(path) && !writes.contains(path)) {
                throw new Breach("read of " + path + " outside the transaction's access set");
            }
        }

        void checkWrite(Hash32 path) {
            if (!writes.contains(path)) {
                throw new Breach("write of " + path + " outside the transaction's access set");
            }
        }

        /** A derived access set missed a path the ledger touched: an executor bug. */
        public static final class Breach extends IllegalStateException {
            private static final long serialVersionUID = 1L;

            Breach(String message) {
                super(message);
            }
        }
    }

    private final StateReader base;
    private final StateBuffer parent;
    private final AccessGuard guard;
    /** Empty Optional marks a deletion. */
    private final Map<Hash32, Optional<Bytes>> writes = new HashMap<>();

    private StateBuffer(StateReader base, StateBuffer parent, AccessGuard guard) {
        this.base = base;
        this.parent = parent;
        this.guard = guard;
    }

    /** A transaction's buffer over the pre-transaction state, unchecked (serial execution). */
    public static StateBuffer over(StateReader base) {
        return new StateBuffer(Objects.requireNonNull(base, "base"), null, null);
    }

    /** A transaction's buffer whose reads and writes must stay inside {@code guard}. */
    public static StateBuffer guarded(StateReader base, AccessGuard guard) {
        return new StateBuffer(Objects.requireNonNull(base, "base"), null, Objects.requireNonNull(guard, "guard"));
    }

    /** A nested buffer for one attempt (a payload) whose writes are kept only if it succeeds. */
    public StateBuffer child() {
        return new StateBuffer(this, this, null);
    }

    @Override
    public Optional<Bytes> get(Hash32 path) {
        Optional<Bytes> written = writes.get(path);
        if (written != null) {
            return written;
        }
        if (guard != null) {
            guard.checkRead(path);
        }
        return base.get(path);
    }

    @Override
    public Optional<Bytes> getImmutable(Hash32 path) {
        Optional<Bytes> written = writes.get(path);
        if (written != null) {
            return written;
        }
        return parent != null ? parent.getImmutable(path) : base.get(path);
    }

    @Override
    public void put(Hash32 path, Bytes value) {
        Objects.requireNonNull(value, "value");
        if (guard != null) {
            guard.checkWrite(path);
        }
        writes.put(path, Optional.of(value));
    }

    @Override
    public void delete(Hash32 path) {
        if (guard != null) {
            guard.checkWrite(path);
        }
        writes.put(path, Optional.empty());
    }

    /** Applies this buffer's writes to {@code target} (normally the parent). */
    public void mergeInto(StateBuffer target) {
        for (Map.Entry<Hash32, Optional<Bytes>> e : writes.entrySet()) {
            if (e.getValue().isPresent()) {
                target.put(e.getKey(), e.getValue().get());
            } else {
                target.delete(e.getKey());
            }
        }
    }

    /** The buffered writes (path → value, or empty for a deletion); unordered. */
    public Map<Hash32, Optional<Bytes>> writes() {
        return java.util.Collections.unmodifiableMap(writes);
    }
}
