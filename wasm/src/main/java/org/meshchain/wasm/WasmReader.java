package org.meshchain.wasm;

import org.meshchain.core.error.ContractError;

/** Bounds-checked reader of the WebAssembly binary encoding (LEB128 integers, bytes, names). */
final class WasmReader {
    private final byte[] data;
    private int pos;
    private final int end;

    WasmReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    static ContractException invalid(String reason) {
        return new ContractException(new ContractError.InvalidBytecode(reason));
    }

    int pos() {
        return pos;
    }

    int end() {
        return end;
    }

    boolean atEnd() {
        return pos >= end;
    }

    byte[] data() {
        return data;
    }

    int u8() {
        if (pos >= end) {
            throw invalid("unexpected end of " + "input at offset " + pos);
        }
        return data[pos++] & 0xFF;
    }

    int peek() {
        if (pos >= end) {
            throw invalid("unexpected end of input at offset " + pos);
        }
        return data[pos] & 0xFF;
    }

    byte[] bytes(int n) {
        if (n < 0 || n > end - pos) {
            throw invalid("length " + n + " exceeds remaining input at offset " + pos);
        }
        byte[] out = new byte[n];
        System.arraycopy(data, pos, out, 0, n);
        pos += n;
        return out;
    }

    void skip(int n) {
        if (n < 0 || n > end - pos) {
            throw invalid("length " + n + " exceeds remaining input at offset " + pos);
        }
        pos += n;
    }

    /** Unsigned 32-bit LEB128, at most 5 bytes, with unused high bits of the last byte zero. */
    long u32() {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (shift == 28 && (b & 0x70) != 0) {
                    throw invalid("u32 LEB128 overflow at offset " + (pos - 1));
                }
                return result;
            }
        }
        throw invalid("u32 LEB128 too long at offset " + pos);
    }

    /** An unsigned 32-bit count or index that must not exceed {@code max}. */
    int count(long max, String what) {
        long v = u32();
        if (v > max) {
            throw invalid(what + " " + v + " exceeds limit " + max);
        }
        return (int) v;
    }

    long s32() {
        return signed(32);
    }

    long s64() {
        return signed(64);
    }

    long s33() {
        return signed(33);
    }

    private long signed(int bits) {
        long result = 0;
        int shift = 0;
        int maxBytes = (bits + 6) / 7;
        for (int i = 0; i < maxBytes; i++) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                if (i == maxBytes - 1) {
                    // the unused bits of the last byte must be a sign extension
                    int usedBits = bits - 7 * (maxBytes - 1);
                    int rest = (b & 0x7F) >> (usedBits - 1);
                    int allOnes = (1 << (8 - usedBits)) - 1;
                    if (rest != 0 && rest != allOnes) {
                        throw invalid("signed LEB128 overflow at offset " + (pos - 1));
                    }
                }
                if (shift < 64 && (b & 0x40) != 0) {
                    result |= -1L << shift;
                }
                return result;
            }
        }
        throw invalid("signed LEB128 too long at offset " + pos);
    }

    String name(int maxBytes) {
        int len = count(maxBytes, "name length");
        byte[] b = bytes(len);
        var decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw invalid("name is not valid UTF-8 at offset " + pos);
        }
    }
}
