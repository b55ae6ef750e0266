package org.meshchain.wasm;

import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;

/** An event emitted by a contract with {@code emit_event}. */
public record ContractEvent(Address contract, Bytes topic, Bytes data) {
    public ContractEvent {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(data, "data");
    }
}
