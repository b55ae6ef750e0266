package org.meshchain.core.codec;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string with value equality, for use inside records. */
public final class Bytes implements Comparable<Bytes> {

    public static final Bytes EMPTY = new Bytes(new byte[0]);
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] value;

    private Bytes(byte[] value) {
        this.value = value;
    }

    /** Copies {@code bytes}: later changes to the array do not affect this value. */
    public static Bytes of(byte[] bytes) {
        return new Bytes(bytes.clone());
    }

    /** Takes ownership of {@code bytes} without copying; the caller must not modify it afterwards. */
    static Bytes wrap(byte[] bytes) {
        return new Bytes(bytes);
    }

    public static Bytes fromHex(String hex) {
        return new Bytes(HEX.parseHex(hex));
    }

    public int length() {
        return value.length;
    }

    public byte get(int index) {
        return value[index];
    }

    public byte[] toByteArray() {
        return value.clone();
    }

    public void copyTo(byte[] destination, int offset) {
        System.arraycopy(value, 0, destination, offset, value.length);
    }

    public String toHex() {
        return HEX.formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    /** Unsigned lexicographic order: the order of canonical sorted sequences. */
    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return value.length <= 64 ? "0x" + toHex() : "0x" + HEX.formatHex(value, 0, 32) + "…(" + value.length + " bytes)";
    }
}
