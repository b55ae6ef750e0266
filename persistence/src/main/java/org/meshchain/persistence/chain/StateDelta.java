package org.meshchain.persistence.chain;

import java.util.List;
import java.util.Objects;

/**
 * The state changes of one block as raw column-family writes, produced by the state layer (the
 * Merkle tree's RocksDB node store): new tree nodes and values, and keys to delete. The chain store
 * writes them in the same batch as the block, so block and state are durable together.
 */
public record StateDelta(List<Put> nodePuts, List<Put> valuePuts, List<byte[]> nodeDeletes, List<byte[]> valueDeletes) {

    public static final StateDelta EMPTY = new StateDelta(List.of(), List.of(), List.of(), List.of());

    public StateDelta {
        nodePuts = List.copyOf(nodePuts);
        valuePuts = List.copyOf(valuePuts);
        nodeDeletes = List.copyOf(nodeDeletes);
        valueDeletes = List.copyOf(valueDeletes);
    }

    /** One key/value write. Arrays are taken as given; the producer must not modify them afterwards. */
    public record Put(byte[] key, byte[] value) {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    long byteSize() {
        long size = 0;
        for (Put put : nodePuts) {
            size += put.key().length + put.value().length;
        }
        for (Put put : valuePuts) {
            size += put.key().length + put.value().length;
        }
        return size;
    }
}
