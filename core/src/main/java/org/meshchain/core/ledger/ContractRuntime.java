package org.meshchain.core.ledger;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * The contract engine as the ledger sees it (the wasm/ module adapts GraalWasm to it). Both methods are
 * deterministic; a fault of the engine itself (not of the contract) is thrown as an unchecked exception
 * and must never become a transaction result.
 */
public interface ContractRuntime {

    /** Validates deployable code: empty if accepted, else the reason ({@link ContractError.InvalidBytecode}). */
    Optional<ContractError> validate(Bytes code);

    /**
     * Runs one call. Writes reach {@code state} only when the call succeeds; a failed call leaves it
     * untouched. Storage and balance accesses outside {@code call.accessSet()} fail with
     * {@link ContractError.AccessViolation}.
     */
    Outcome call(Invocation call, ContractState state);

    /** What the host functions see of the block and the transaction. */
    record Invocation(long blockHeight, long blockTimestampMillis, Address caller, Address contract,
                      String function, Bytes args, long gasLimit, Payload.AccessSet accessSet) {
        public Invocation {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(accessSet, "accessSet");
        }
    }

    record Outcome(Optional<ContractError> error, long gasUsed, Bytes returnData, List<LedgerEvent> events) {
        public Outcome {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(returnData, "returnData");
            events = List.copyOf(events);
        }
    }

    /**
     * The state a call works on, in ledger paths ({@link org.meshchain.core.state.StatePaths}); the adapter
     * maps contract storage keys and balances onto them.
     */
    interface ContractState {
        Optional<Bytes> get(Hash32 path);

        /** Reads content-addressed, write-once state (deployed code); exempt from access tracking. */
        Optional<Bytes> getImmutable(Hash32 path);

        void put(Hash32 path, Bytes value);

        void delete(Hash32 path);
    }
}
