package org.meshchain.core.codec;

/**
 * Canonical bytes were rejected. Always names the field being decoded and the rule that failed,
 * so a peer, an API client or a device author can tell exactly what was wrong.
 */
public final class DecodeException extends Exception {

    /** Which strict-decoding rule was violated. */
    public enum Kind {
        /** The input ended before the field was complete. */
        TRUNCATED,
        /** Bytes remained after the top-level value was decoded. */
        TRAILING_BYTES,
        /** A ULEB128 value used more bytes than its minimal encoding, or exceeded 32 bits. */
        OVERLONG_ULEB128,
        /** An enum or option tag outside the defined variants. */
        BAD_TAG,
        /** A length or count above the configured limit for that field. */
        LENGTH_OVER_LIMIT,
        /** A value that is well-formed but outside the field's domain (non-canonical order, range). */
        INVALID_VALUE
    }

    private final String field;
    private final Kind kind;

    public DecodeException(String field, Kind kind, String detail) {
        super(field + ": " + kind.name().toLowerCase(java.util.Locale.ROOT) + " (" + detail + ")");
        this.field = field;
        this.kind = kind;
    }

    public String field() {
        return field;
    }

    public Kind kind() {
        return kind;
    }
}
