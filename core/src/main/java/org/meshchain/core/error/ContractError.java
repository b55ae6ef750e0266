package org.meshchain.core.error;

import org.meshchain.core.codec.Bytes;

/** Why a contract deploy or call failed. Deterministic: the same on every node for the same input. */
public sealed interface ContractError {

    String code();

    /** Deploy-time validation failed; {@code reason} names the rule (import, float, memory, size...). */
    record InvalidBytecode(String reason) implements ContractError {
        public String code() {
            return "invalid_bytecode";
        }
    }

    record OutOfGas(long gasLimit) implements ContractError {
        public String code() {
            return "out_of_gas";
        }
    }

    record StackOverflow(int depthLimit) implements ContractError {
        public String code() {
            return "stack_overflow";
        }
    }

    /** The contract touched a storage key outside its declared access set. */
    record AccessViolation(Bytes key, String operation) implements ContractError {
        public String code() {
            return "access_violation";
        }
    }

    /** A WebAssembly trap (unreachable, out-of-bounds memory, division by zero...). */
    record Trap(String message) implements ContractError {
        public String code() {
            return "trap";
        }
    }

    /** The contract called {@code abort} with a message. */
    record Aborted(String message) implements ContractError {
        public String code() {
            return "aborted";
        }
    }

    record FunctionNotFound(String function) implements ContractError {
        public String code() {
            return "function_not_found";
        }
    }

    /** The called address holds no contract code. */
    record NoContract(String address) implements ContractError {
        public String code() {
            return "no_contract";
        }
    }
}
