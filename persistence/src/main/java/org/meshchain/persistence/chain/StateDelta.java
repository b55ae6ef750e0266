package org.meshchain.persistence.chain;

import java.util.List;
import java.util.Objects;

/**
 * State changes as raw writes to the state column families, produced by the state layer (the Merkle
 * tree's RocksDB node store). The chain store writes them in the same batch as the block, so block
 * and state are durable together.
 */
public record StateDelta(List<Write> writes) {

    public static final StateDelta EMPTY = new StateDelta(List.of());

    public StateDelta {
        writes = List.copyOf(writes);
    }

    /** The state column families (DESIGN 7.1's {@code state_nodes}, {@code state_values}, and the tree's indexes). */
    public enum Column {
        /** Tree nodes: node key (version || hash) → encoded node. */
        NODES,
        /** Stale node index: stale-since version → the node keys it made stale, concatenated (ADR 0058). */
        STALE,
        /** Version → root node key. */
        ROOTS,
        /** Latest value per state path (flat state for O(1) reads at the head). */
        VALUES
    }

    /**
     * One put ({@code value != null}) or delete ({@code value == null}). Arrays are taken as given;
     * the producer must not modify them afterwards.
     */
    public record Write(Column column, byte[] key, byte[] value) {
        public Write {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(key, "key");
        }

        public static Write put(Column column, byte[] key, byte[] value) {
            return new Write(column, key, Objects.requireNonNull(value, "value"));
        }

        public static Write delete(Column column, byte[] key) {
            return new Write(column, key, null);
        }
    }

    long byteSize() {
        long size = 0;
        for (Write write : writes) {
            size += write.key().length + (write.value() == null ? 0 : write.value().length);
        }
        return size;
    }
}
