package org.meshchain.core.codec;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Strict reader of the canonical encoding. Every read names its field so that a
 * {@link DecodeException} says where decoding failed. Rejects overlong ULEB128, out-of-range tags,
 * lengths over the caller's limit, booleans other than 0/1, and (via {@link #finish()}) trailing bytes.
 */
public final class CanonicalReader {

    private final byte[] data;
    private int position;

    public CanonicalReader(byte[] data) {
        this.data = data;
    }

    public int remaining() {
        return data.length - position;
    }

    public int position() {
        return position;
    }

    private void need(String field, int count) throws DecodeException {
        if (count > data.length - position) {
            throw new DecodeException(field, DecodeException.Kind.TRUNCATED,
                    "needs " + count + " bytes, " + (data.length - position) + " left");
        }
    }

    public int u8(String field) throws DecodeException {
        need(field, 1);
        return data[position++] & 0xFF;
    }

    public boolean bool(String field) throws DecodeException {
        int v = u8(field);
        if (v > 1) {
            throw new DecodeException(field, DecodeException.Kind.INVALID_VALUE, "boolean byte " + v);
        }
        return v == 1;
    }

    public int u16(String field) throws DecodeException {
        need(field, 2);
        int v = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8;
        position += 2;
        return v;
    }

    public long u32(String field) throws DecodeException {
        need(field, 4);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (long) (data[position + i] & 0xFF) << (8 * i);
        }
        position += 4;
        return v;
    }

    /** Raw 64 bits; the caller decides signed/unsigned interpretation. */
    public long u64(String field) throws DecodeException {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) (data[position + i] & 0xFF) << (8 * i);
        }
        position += 8;
        return v;
    }

    /** A u64 that the domain restricts to 0..2^63-1 (amounts, heights, nonces). */
    public long u63(String field) throws DecodeException {
        long v = u64(field);
        if (v < 0) {
            throw new DecodeException(field, DecodeException.Kind.INVALID_VALUE,
                    "value " + Long.toUnsignedString(v) + " exceeds 2^63-1");
        }
        return v;
    }

    /** ULEB128 of a u32, minimal encoding only. */
    public long uleb128(String field) throws DecodeException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8(field);
            long digit = b & 0x7F;
            if (shift == 28 && digit > 0x0F) {
                throw new DecodeException(field, DecodeException.Kind.OVERLONG_ULEB128, "value exceeds u32");
            }
            value |= digit << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw new DecodeException(field, DecodeException.Kind.OVERLONG_ULEB128,
                            "non-minimal encoding (trailing zero group)");
                }
                return value;
            }
        }
        throw new DecodeException(field, DecodeException.Kind.OVERLONG_ULEB128, "more than 5 bytes");
    }

    /** A length or count bounded by {@code max}. */
    public int length(String field, int max) throws DecodeException {
        long len = uleb128(field);
        if (len > max) {
            throw new DecodeException(field, DecodeException.Kind.LENGTH_OVER_LIMIT,
                    "length " + len + " over limit " + max);
        }
        return (int) len;
    }

    /** An enum tag in 0..variantCount-1. */
    public int tag(String field, int variantCount) throws DecodeException {
        long t = uleb128(field);
        if (t >= variantCount) {
            throw new DecodeException(field, DecodeException.Kind.BAD_TAG,
                    "tag " + t + " not in 0.." + (variantCount - 1));
        }
        return (int) t;
    }

    public byte[] fixed(String field, int count) throws DecodeException {
        need(field, count);
        byte[] out = Arrays.copyOfRange(data, position, position + count);
        position += count;
        return out;
    }

    public Bytes bytes(String field, int maxLength) throws DecodeException {
        int len = length(field, maxLength);
        return Bytes.wrap(fixed(field, len));
    }

    /** Length-prefixed UTF-8; malformed UTF-8 is rejected so that re-encoding gives the same bytes. */
    public String string(String field, int maxBytes) throws DecodeException {
        int len = length(field, maxBytes);
        need(field, len);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, len))
                    .toString();
            position += len;
            return s;
        } catch (CharacterCodingException e) {
            throw new DecodeException(field, DecodeException.Kind.INVALID_VALUE, "malformed UTF-8");
        }
    }

    public <T> List<T> seq(String field, int maxCount, ElementReader<T> elementReader) throws DecodeException {
        int count = length(field, maxCount);
        List<T> items = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            items.add(elementReader.read(this));
        }
        return Collections.unmodifiableList(items);
    }

    /** Option: 0 = absent (returns null), 1 = present. */
    public <T> T option(String field, ElementReader<T> elementReader) throws DecodeException {
        int present = u8(field);
        if (present == 0) {
            return null;
        }
        if (present != 1) {
            throw new DecodeException(field, DecodeException.Kind.BAD_TAG, "option tag " + present);
        }
        return elementReader.read(this);
    }

    /** Rejects trailing bytes after a complete top-level value. */
    public void finish(String field) throws DecodeException {
        if (position != data.length) {
            throw new DecodeException(field, DecodeException.Kind.TRAILING_BYTES,
                    (data.length - position) + " bytes after the value");
        }
    }

    /** Reads one element of a sequence or option. */
    @FunctionalInterface
    public interface ElementReader<T> {
        T read(CanonicalReader reader) throws DecodeException;
    }
}
