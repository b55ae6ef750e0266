package org.meshchain.wasm;

import java.util.Objects;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * The block and transaction context of one contract call: what the host functions {@code block_height},
 * {@code block_timestamp}, {@code caller} and {@code self_address} return, and the declared access set that
 * storage and balance accesses are checked against.
 */
public record ExecutionContext(long blockHeight, long blockTimestampMillis, Address caller, Address self,
                               Payload.AccessSet accessSet) {
    public ExecutionContext {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(accessSet, "accessSet");
        if (blockHeight < 0 || blockTimestampMillis < 0) {
            throw new IllegalArgumentException("block height and timestamp must be non-negative");
        }
    }
}
