package org.meshchain.bridge.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The short code of a reply on {@code dev/{d}/reply} (one byte on the wire; the numbers are part of
 * the device protocol: never renumber, only append). The lower-case name is the metrics label.
 */
public enum ReplyCode {
    /** The frame passed every check; its transaction was admitted to the mempool (or the proof request served). */
    ACCEPTED(0),
    /** The frame's transaction is in a committed block. */
    COMMITTED(1),
    /** Frame larger than the configured maximum (default 1 KiB). */
    TOO_LARGE(2),
    /** Not a frame in the canonical encoding (bad version, kind, field, trailing bytes). */
    MALFORMED(3),
    /** The frame's kind does not belong on the topic it came on. */
    WRONG_TOPIC(4),
    /** No RegisterDevice for this device id on chain. */
    UNREGISTERED(5),
    /** The frame signature is not the registered device key's. */
    BAD_SIGNATURE(6),
    /** Counter not strictly greater than the last accepted one (a replay or a reordering). */
    REPLAY(7),
    /** The device's token bucket is empty. */
    RATE_LIMITED(8),
    /** The transaction is not the device's own (sender, chain id, or report fields do not match the frame). */
    NOT_OWN_TRANSACTION(9),
    /** The mempool refused the transaction (detail names the reason). */
    MEMPOOL_REJECTED(10),
    /** The bridge is at its in-flight bound; retry later with a new counter. */
    OVERLOADED(11),
    /** The node could not serve the request now (no certified state yet, a proof failed). */
    UNAVAILABLE(12),
    /** The bridge tracks its configured maximum of devices and cannot take a new one. */
    CAPACITY(13);

    private final int wire;

    ReplyCode(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isRejection() {
        return this != ACCEPTED && this != COMMITTED;
    }

    public static Optional<ReplyCode> fromWire(int wire) {
        for (ReplyCode code : values()) {
            if (code.wire == wire) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
