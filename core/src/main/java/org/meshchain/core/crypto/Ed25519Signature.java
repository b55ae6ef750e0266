package org.meshchain.core.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/** An Ed25519 signature: 64 bytes, R (32) || S (32). Equality is by encoding. */
public final class Ed25519Signature {

    public static final int LENGTH = 64;

    private final byte[] encoded;

    private Ed25519Signature(byte[] encoded) {
        this.encoded = encoded;
    }

    public static Ed25519Signature of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an Ed25519 signature has 64 bytes, got " + bytes.length);
        }
        return new Ed25519Signature(bytes.clone());
    }

    public static Ed25519Signature fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public byte[] toByteArray() {
        return encoded.clone();
    }

    byte[] encodedInternal() {
        return encoded;
    }

    public String toHex() {
        return HexFormat.of().formatHex(encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519Signature other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "Ed25519Signature[" + toHex() + "]";
    }
}
