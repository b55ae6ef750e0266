package org.meshchain.merkle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** 32-byte hashes and paths as four big-endian longs, for the arena's records (ADR 0050). */
final class Words {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Words() {
    }

    /** Reads {@code bytes[offset..offset+32)} into {@code words[at..at+4)}. */
    static void read(byte[] bytes, int offset, long[] words, int at) {
        words[at] = (long) LONGS.get(bytes, offset);
        words[at + 1] = (long) LONGS.get(bytes, offset + 8);
        words[at + 2] = (long) LONGS.get(bytes, offset + 16);
        words[at + 3] = (long) LONGS.get(bytes, offset + 24);
    }

    /** Writes {@code words[at..at+4)} to {@code bytes[offset..offset+32)}. */
    static void write(long[] words, int at, byte[] bytes, int offset) {
        LONGS.set(bytes, offset, words[at]);
        LONGS.set(bytes, offset + 8, words[at + 1]);
        LONGS.set(bytes, offset + 16, words[at + 2]);
        LONGS.set(bytes, offset + 24, words[at + 3]);
    }

    /** A fresh 32-byte array of {@code words[at..at+4)}. */
    static byte[] write(long[] words, int at) {
        byte[] bytes = new byte[32];
        write(words, at, bytes, 0);
        return bytes;
    }

    static long get(byte[] bytes, int offset) {
        return (long) LONGS.get(bytes, offset);
    }

    static void putLong(byte[] bytes, int offset, long value) {
        LONGS.set(bytes, offset, value);
    }
}
