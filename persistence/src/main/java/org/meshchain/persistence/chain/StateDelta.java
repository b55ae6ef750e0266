package org.meshchain.persistence.chain;

import java.util.List;
import java.util.Objects;

/**
 * State changes as raw writes to the state column families, produced by the state layer (the Merkle
 * tree's RocksDB node store). The chain store writes them in the same batch as the block, so block
 * and state are durable together: first the {@code encoded} part (if any), then {@code writes}.
 * A block's ~12,000 tree nodes come as the encoded part, written straight into the batch without an
 * array or a {@link Write} per entry (ADR 0058).
 */
public record StateDelta(List<Write> writes, Encoded encoded) {

    public static final StateDelta EMPTY = new StateDelta(List.of());

    public StateDelta {
        writes = List.copyOf(writes);
    }

    public StateDelta(List<Write> writes) {
        this(writes, null);
    }

    /** Puts a producer writes into the batch itself, in its order (sorted by column, then key, for the memtables). */
    public interface Encoded {

        /** Writes every put to {@code sink}; may be called more than once and writes the same each time. */
        void writeTo(Sink sink);

        /** Total bytes of the keys and values it writes (for the quota check). */
        long byteSize();
    }

    /** Where {@link Encoded} puts go; the arrays are copied before the call returns, so they may be reused. */
    public interface Sink {
        void put(Column column, byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength);
    }

    /** The state column families (DESIGN 7.1's {@code state_nodes}, {@code state_values}, and the tree's indexes). */
    public enum Column {
        /** Tree nodes: node key (version || hash) → encoded node. */
        NODES,
        /** Stale node index: stale-since version → the node keys it made stale, concatenated (ADR 0058). */
        STALE,
        /** Version → root node key. */
        ROOTS,
        /** Latest value per state path (flat state for O(1) reads at the head); keys are 32-byte paths. */
        VALUES
    }

    /**
     * One put ({@code value != null}) or delete ({@code value == null}). Arrays are taken as given;
     * the producer must not modify them afterwards.
     */
    public record Write(Column column, byte[] key, byte[] value) {
        /** Length of every {@link Column#VALUES} key: a state path (its memtable hashes the whole key, ADR 0072). */
        public static final int VALUE_KEY_LENGTH = 32;

        public Write {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(key, "key");
            if (column == Column.VALUES && key.length != VALUE_KEY_LENGTH) {
                throw new IllegalArgumentException("a state value's key is a " + VALUE_KEY_LENGTH + "-byte state path, got "
                        + key.length + " bytes");
            }
        }

        public static Write put(Column column, byte[] key, byte[] value) {
            return new Write(column, key, Objects.requireNonNull(value, "value"));
        }

        public static Write delete(Column column, byte[] key) {
            return new Write(column, key, null);
        }
    }

    long byteSize() {
        long size = encoded == null ? 0 : encoded.byteSize();
        for (Write write : writes) {
            size += write.key().length + (write.value() == null ? 0 : write.value().length);
        }
        return size;
    }
}
