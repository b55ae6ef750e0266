package org.meshchain.core.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/** A 32-byte SHA-256 digest with value equality and unsigned lexicographic order. */
public final class Hash32 implements Comparable<Hash32> {

    public static final int LENGTH = 32;
    public static final Hash32 ZERO = new Hash32(new byte[LENGTH]);

    private final byte[] value;

    private Hash32(byte[] value) {
        this.value = value;
    }

    public static Hash32 of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a Hash32 has 32 bytes, got " + bytes.length);
        }
        return new Hash32(bytes.clone());
    }

    /** Takes ownership of a freshly computed digest without copying. */
    static Hash32 wrapDigest(byte[] digest) {
        assert digest.length == LENGTH;
        return new Hash32(digest);
    }

    public static Hash32 fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public byte[] toByteArray() {
        return value.clone();
    }

    public void copyTo(byte[] destination, int offset) {
        System.arraycopy(value, 0, destination, offset, LENGTH);
    }

    public byte get(int index) {
        return value[index];
    }

    /** Bit {@code index} counted from the most significant bit of byte 0 (tree path order). */
    public int bit(int index) {
        return (value[index >>> 3] >>> (7 - (index & 7))) & 1;
    }

    public String toHex() {
        return HexFormat.of().formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash32 other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        // Digest bytes are uniformly distributed: the first four are a good hash.
        return (value[0] & 0xFF) << 24 | (value[1] & 0xFF) << 16 | (value[2] & 0xFF) << 8 | (value[3] & 0xFF);
    }

    @Override
    public int compareTo(Hash32 other) {
        return Arrays.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
