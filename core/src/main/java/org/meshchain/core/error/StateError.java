package org.meshchain.core.error;

import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;

/**
 * Why a transaction was rejected or failed against the ledger rules. Values, not exceptions:
 * they end up in receipts and API responses, so every variant has a stable short {@link #code()}.
 */
public sealed interface StateError {

    /** Stable machine-readable code (snake_case), used in receipts, HTTP errors and MQTT replies. */
    String code();

    record WrongChain(ChainId expected, ChainId actual) implements StateError {
        public String code() {
            return "wrong_chain";
        }
    }

    record BadSignature(Address sender) implements StateError {
        public String code() {
            return "bad_signature";
        }
    }

    record Expired(long expiryHeight, long blockHeight) implements StateError {
        public String code() {
            return "expired";
        }
    }

    record NonceMismatch(Address sender, long expected, long actual) implements StateError {
        public String code() {
            return "nonce_mismatch";
        }
    }

    record InsufficientBalance(Address account, long required, long available) implements StateError {
        public String code() {
            return "insufficient_balance";
        }
    }

    /** An amount computation would leave 0..2^63-1 (sum of amount and fee, a credit). */
    record AmountOverflow(String what) implements StateError {
        public String code() {
            return "amount_overflow";
        }
    }

    record UnknownUtxo(Payload.UtxoRef utxo) implements StateError {
        public String code() {
            return "unknown_utxo";
        }
    }

    record UtxoNotOwned(Payload.UtxoRef utxo, Address owner) implements StateError {
        public String code() {
            return "utxo_not_owned";
        }
    }

    record UtxoSumMismatch(long inputs, long outputsPlusFee) implements StateError {
        public String code() {
            return "utxo_sum_mismatch";
        }
    }

    record DeviceNotRegistered(Address device) implements StateError {
        public String code() {
            return "device_not_registered";
        }
    }

    record DeviceAlreadyRegistered(Address device) implements StateError {
        public String code() {
            return "device_already_registered";
        }
    }

    record CounterNotIncreasing(Address device, long lastAccepted, long received) implements StateError {
        public String code() {
            return "counter_not_increasing";
        }
    }

    record ContractNotFound(Address contract) implements StateError {
        public String code() {
            return "contract_not_found";
        }
    }

    /** The call ran and failed; fee and gas are charged, its writes discarded. */
    record ContractFailed(ContractError error) implements StateError {
        public String code() {
            return "contract_failed." + error.code();
        }
    }

    /** A call's gas limit is above the protocol's per-call cap (which bounds every node's work per call). */
    record GasLimitTooHigh(long gasLimit, long maxGasLimit) implements StateError {
        public String code() {
            return "gas_limit_too_high";
        }
    }

    /** The sender may not do this (e.g. lock another account's collateral, report for another's device). */
    record Unauthorized(Address sender, String rule) implements StateError {
        public String code() {
            return "unauthorized";
        }
    }
}
