package org.meshchain.core.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An Ed25519 public key (32 bytes, RFC 8032 encoding). Equality is by encoding.
 * The decoded curve point is cached after the first successful strict validation, so repeated
 * verifications under the same key skip point decompression.
 */
public final class Ed25519PublicKey implements Comparable<Ed25519PublicKey> {

    public static final int LENGTH = 32;

    private final byte[] encoded;
    /** Lazily decoded point; {@code null} until validated. Benign race: every thread computes the same value. */
    private volatile Object cachedPoint;
    private volatile Boolean valid;

    private Ed25519PublicKey(byte[] encoded) {
        this.encoded = encoded;
    }

    /** Wraps 32 bytes; the point is validated on first use, so malformed keys decode but never verify. */
    public static Ed25519PublicKey of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, got " + bytes.length);
        }
        return new Ed25519PublicKey(bytes.clone());
    }

    public static Ed25519PublicKey fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public byte[] toByteArray() {
        return encoded.clone();
    }

    byte[] encodedInternal() {
        return encoded;
    }

    Object cachedPoint() {
        return cachedPoint;
    }

    Boolean cachedValidity() {
        return valid;
    }

    void cacheValidation(boolean isValid, Object point) {
        this.cachedPoint = point;
        this.valid = isValid;
    }

    public String toHex() {
        return HexFormat.of().formatHex(encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519PublicKey other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public int compareTo(Ed25519PublicKey other) {
        return Arrays.compareUnsigned(encoded, other.encoded);
    }

    @Override
    public String toString() {
        return "Ed25519PublicKey[" + toHex() + "]";
    }
}
