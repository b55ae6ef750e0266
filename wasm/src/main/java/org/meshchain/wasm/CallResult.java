package org.meshchain.wasm;

import java.util.List;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.error.ContractError;

/**
 * The deterministic outcome of a contract call. On failure {@code events} is empty, {@code returnData} is
 * empty and the state view is unchanged; {@code gasUsed} is charged either way.
 */
public record CallResult(Optional<ContractError> error, long gasUsed, Bytes returnData, List<Long> values,
                         List<ContractEvent> events) {
    public CallResult {
        events = List.copyOf(events);
        values = List.copyOf(values);
    }

    public boolean success() {
        return error.isEmpty();
    }

    static CallResult failure(ContractError e, long gasUsed) {
        return new CallResult(Optional.of(e), gasUsed, Bytes.EMPTY, List.of(), List.of());
    }
}
