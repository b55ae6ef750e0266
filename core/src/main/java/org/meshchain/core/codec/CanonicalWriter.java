package org.meshchain.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the canonical encoding (BCS rules, DESIGN 3.1): fixed-width little-endian integers,
 * ULEB128 lengths and tags, fields in declared order, length-prefixed byte strings.
 * Not thread-safe; one writer per encoding.
 */
public final class CanonicalWriter {

    private byte[] buffer;
    private int size;

    public CanonicalWriter() {
        this(128);
    }

    public CanonicalWriter(int initialCapacity) {
        this.buffer = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        int needed = size + extra;
        if (needed < 0) {
            throw new IllegalStateException("encoding exceeds 2 GiB");
        }
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
        }
    }

    public CanonicalWriter u8(int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("u8 out of range: " + value);
        }
        ensure(1);
        buffer[size++] = (byte) value;
        return this;
    }

    public CanonicalWriter bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    public CanonicalWriter u16(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("u16 out of range: " + value);
        }
        ensure(2);
        buffer[size++] = (byte) value;
        buffer[size++] = (byte) (value >>> 8);
        return this;
    }

    /** Writes the low 32 bits of {@code value} as an unsigned little-endian integer. */
    public CanonicalWriter u32(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("u32 out of range: " + value);
        }
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buffer[size++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    /** Writes all 64 bits as little-endian; callers treat the value as unsigned where the type says so. */
    public CanonicalWriter u64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buffer[size++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    /** ULEB128 of an unsigned 32-bit value (lengths, counts and enum tags). Always minimal. */
    public CanonicalWriter uleb128(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("uleb128 value out of u32 range: " + value);
        }
        ensure(5);
        long v = value;
        while (v >= 0x80) {
            buffer[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buffer[size++] = (byte) v;
        return this;
    }

    public CanonicalWriter tag(int variant) {
        return uleb128(variant);
    }

    public CanonicalWriter fixed(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** Length-prefixed byte string. */
    public CanonicalWriter bytes(byte[] bytes) {
        uleb128(bytes.length);
        return fixed(bytes);
    }

    public CanonicalWriter bytes(Bytes bytes) {
        uleb128(bytes.length());
        ensure(bytes.length());
        bytes.copyTo(buffer, size);
        size += bytes.length();
        return this;
    }

    /** Length-prefixed UTF-8 string. */
    public CanonicalWriter string(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A sequence: ULEB128 count, then each element. */
    public <T> CanonicalWriter seq(List<T> items, ElementWriter<T> elementWriter) {
        uleb128(items.size());
        for (T item : items) {
            elementWriter.write(this, item);
        }
        return this;
    }

    /** An option: tag 0 for absent, tag 1 followed by the value. */
    public <T> CanonicalWriter option(T valueOrNull, ElementWriter<T> elementWriter) {
        if (valueOrNull == null) {
            return u8(0);
        }
        u8(1);
        elementWriter.write(this, valueOrNull);
        return this;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, size);
    }

    /** Writes one element of a sequence or option. */
    @FunctionalInterface
    public interface ElementWriter<T> {
        void write(CanonicalWriter writer, T value);
    }
}
