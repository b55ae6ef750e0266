package org.meshchain.merkle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** 32-byte hashes and paths as four big-endian longs, for the arena's records (ADR 0050). */
final class Words {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle NATIVE_INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private Words() {
    }

    /** Reads {@code bytes[offset..offset+32)} into {@code words[at..at+4)}. */
    static void read(byte[] bytes, int offset, long[] words, int at) {
        words[at] = (long) LONGS.get(bytes, offset);
        words[at + 1] = (long) LONGS.get(bytes, offset + 8);
        words[at + 2] = (long) LONGS.get(bytes, offset + 16);
        words[at + 3] = (long) LONGS.get(bytes, offset + 24);
    }

    /**
     * {@link #read} for a SHA-256 output that was just written: the digest stores it as 4-byte
     * words, and a load spanning two pending stores cannot take its value from the store buffer (it
     * waits until they reach the cache), so the words are read as the digest wrote them (ADR 0053).
     */
    static void readDigest(byte[] bytes, int offset, long[] words, int at) {
        for (int i = 0; i < 4; i++) {
            words[at + i] = getDigestWord(bytes, offset + 8 * i);
        }
    }

    /** Big-endian word at {@code bytes[offset..offset+8)} of a just-written digest; see {@link #readDigest}. */
    static long getDigestWord(byte[] bytes, int offset) {
        return ((long) (int) INTS.get(bytes, offset) << 32) | ((int) INTS.get(bytes, offset + 4) & 0xFFFF_FFFFL);
    }

    /** Copies a just-written 32-byte digest in the digest's own 4-byte steps; see {@link #readDigest}. */
    static void copyDigest(byte[] from, int fromOffset, byte[] to, int toOffset) {
        for (int i = 0; i < 32; i += 4) {
            NATIVE_INTS.set(to, toOffset + i, (int) NATIVE_INTS.get(from, fromOffset + i));
        }
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
