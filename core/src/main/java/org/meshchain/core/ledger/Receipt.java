package org.meshchain.core.ledger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.error.StateError;
import org.meshchain.core.types.Address;

/**
 * The outcome of one transaction in a block (DESIGN 4). Canonical encoding (BCS rules): u8 status,
 * string error code, string error detail, u64 fee charged, u64 gas used, bytes output, seq of events
 * (source 32 bytes, bytes topic, bytes data). The receipt root is computed over these bytes, so the
 * encoding is part of the protocol.
 *
 * <ul>
 *   <li>{@link Status#SUCCESS}: applied; code and detail are empty.</li>
 *   <li>{@link Status#FAILED}: the payload failed; the fee was charged and the nonce used, the payload's
 *       writes discarded.</li>
 *   <li>{@link Status#DISCARDED}: invalid before execution (chain, signature, expiry, nonce, cannot pay
 *       the fee); nothing at all was written.</li>
 * </ul>
 * {@code output} is the new contract's address for a deploy and the return data of a call, else empty.
 */
public record Receipt(Status status, String errorCode, String errorDetail, long feeCharged, long gasUsed,
                      Bytes output, List<LedgerEvent> events) {

    public static final int MAX_CODE_BYTES = 64;
    public static final int MAX_DETAIL_BYTES = 512;
    public static final int MAX_OUTPUT_BYTES = 64 * 1024;
    public static final int MAX_EVENTS = 1024;
    public static final int MAX_TOPIC_BYTES = 64;
    public static final int MAX_EVENT_DATA_BYTES = 4096;

    public enum Status {
        SUCCESS, FAILED, DISCARDED
    }

    public Receipt {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(errorDetail, "errorDetail");
        Objects.requireNonNull(output, "output");
        events = List.copyOf(events);
        if ((status == Status.SUCCESS) != errorCode.isEmpty()) {
            throw new IllegalArgumentException("a receipt has an error code exactly when it did not succeed");
        }
        if (errorCode.getBytes(StandardCharsets.UTF_8).length > MAX_CODE_BYTES
                || errorDetail.getBytes(StandardCharsets.UTF_8).length > MAX_DETAIL_BYTES) {
            throw new IllegalArgumentException("error code or detail too long");
        }
        if (feeCharged < 0 || gasUsed < 0) {
            throw new IllegalArgumentException("fee and gas must be non-negative");
        }
    }

    public static Receipt success(long fee, long gasUsed, Bytes output, List<LedgerEvent> events) {
        return new Receipt(Status.SUCCESS, "", "", fee, gasUsed, output, events);
    }

    public static Receipt failed(StateError error, long fee, long gasUsed) {
        return new Receipt(Status.FAILED, error.code(), detail(error), fee, gasUsed, Bytes.EMPTY, List.of());
    }

    public static Receipt discarded(StateError error) {
        return new Receipt(Status.DISCARDED, error.code(), detail(error), 0, 0, Bytes.EMPTY, List.of());
    }

    /**
     * The error's fields as text, rendered explicitly (not by {@code Record.toString}, whose format the
     * JDK does not promise): the detail is hashed into the receipt root, so it must be the same on every
     * node and every JDK. Cut to {@link #MAX_DETAIL_BYTES} bytes of UTF-8 on a character boundary.
     */
    static String detail(StateError error) {
        return cut(render(error));
    }

    static String render(StateError error) {
        return switch (error) {
            case StateError.WrongChain e -> "expected chain " + e.expected().value() + ", got " + e.actual().value();
            case StateError.BadSignature e -> "signature does not verify for sender " + e.sender().toHex();
            case StateError.Expired e -> "expiry height " + e.expiryHeight() + " is below block height " + e.blockHeight();
            case StateError.NonceMismatch e -> "sender " + e.sender().toHex() + " expected nonce " + e.expected() + ", got " + e.actual();
            case StateError.InsufficientBalance e -> "account " + e.account().toHex() + " required=" + e.required()
                    + " available=" + e.available();
            case StateError.AmountOverflow e -> "overflow of " + e.what();
            case StateError.UnknownUtxo e -> "no unspent output " + ref(e.utxo());
            case StateError.UtxoNotOwned e -> "output " + ref(e.utxo()) + " is owned by " + e.owner().toHex();
            case StateError.UtxoSumMismatch e -> "inputs=" + e.inputs() + " outputs+fee=" + e.outputsPlusFee();
            case StateError.DeviceNotRegistered e -> "device " + e.device().toHex() + " is not registered";
            case StateError.DeviceAlreadyRegistered e -> "device " + e.device().toHex() + " is already registered";
            case StateError.CounterNotIncreasing e -> "device " + e.device().toHex() + " last counter " + e.lastAccepted()
                    + ", got " + e.received();
            case StateError.ContractNotFound e -> "no contract at " + e.contract().toHex();
            case StateError.ContractFailed e -> render(e.error());
            case StateError.GasLimitTooHigh e -> "gas limit " + e.gasLimit() + " above the maximum " + e.maxGasLimit();
            case StateError.Unauthorized e -> "sender " + e.sender().toHex() + ": " + e.rule();
        };
    }

    static String render(ContractError error) {
        return switch (error) {
            case ContractError.InvalidBytecode e -> "invalid bytecode: " + e.reason();
            case ContractError.OutOfGas e -> "out of gas (limit " + e.gasLimit() + ")";
            case ContractError.StackOverflow e -> "call depth above " + e.depthLimit();
            case ContractError.AccessViolation e -> e.operation() + " of undeclared key 0x" + e.key().toHex();
            case ContractError.Trap e -> "trap: " + e.message();
            case ContractError.Aborted e -> "aborted: " + e.message();
            case ContractError.FunctionNotFound e -> "no function " + e.function();
            case ContractError.NoContract e -> "no contract code at " + e.address();
        };
    }

    private static String ref(org.meshchain.core.types.Payload.UtxoRef ref) {
        return ref.txId().toHex() + ":" + ref.index();
    }

    private static String cut(String text) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > MAX_DETAIL_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    public boolean succeeded() {
        return status == Status.SUCCESS;
    }

    public Bytes encode() {
        CanonicalWriter w = new CanonicalWriter(64 + output.length());
        w.u8(status.ordinal());
        w.string(errorCode);
        w.string(errorDetail);
        w.u64(feeCharged).u64(gasUsed);
        w.bytes(output);
        w.seq(events, (ww, e) -> {
            ww.fixed(e.source().hash().toByteArray());
            ww.bytes(e.topic());
            ww.bytes(e.data());
        });
        return Bytes.of(w.toByteArray());
    }

    /** Strict decode: rejects unknown status, over-long fields and trailing bytes. */
    public static Receipt decode(Bytes encoded) throws DecodeException {
        CanonicalReader r = new CanonicalReader(encoded.toByteArray());
        int status = r.u8("status");
        if (status >= Status.values().length) {
            throw new DecodeException("status", DecodeException.Kind.BAD_TAG, "status " + status);
        }
        String code = r.string("error_code", MAX_CODE_BYTES);
        String detail = r.string("error_detail", MAX_DETAIL_BYTES);
        long fee = r.u63("fee_charged");
        long gas = r.u63("gas_used");
        Bytes output = r.bytes("output", MAX_OUTPUT_BYTES);
        List<LedgerEvent> events = r.seq("events", MAX_EVENTS, rr -> new LedgerEvent(
                new Address(Hash32.of(rr.fixed("events.source", 32))),
                rr.bytes("events.topic", MAX_TOPIC_BYTES),
                rr.bytes("events.data", MAX_EVENT_DATA_BYTES)));
        r.finish("receipt");
        Status s = Status.values()[status];
        if ((s == Status.SUCCESS) != code.isEmpty()) {
            throw new DecodeException("error_code", DecodeException.Kind.INVALID_VALUE,
                    "error code must be empty exactly for a successful receipt");
        }
        return new Receipt(s, code, detail, fee, gas, output, events);
    }
}
