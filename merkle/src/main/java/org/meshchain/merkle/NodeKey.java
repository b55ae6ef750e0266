package org.meshchain.merkle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.meshchain.core.crypto.Hash32;

/**
 * Identity of a stored tree node: the version that created it and its hash. A node is never
 * rewritten; an update creates new nodes under the new version and marks the replaced ones stale
 * (see {@link NodeStore}). Because the version is part of the key, a node that disappears and later
 * reappears with the same hash (delete, then re-insert) is a different key, so pruning the old one
 * never frees the new one.
 *
 * <p>Byte form ({@link #toBytes()}): version as 8 bytes big-endian, then the 32-byte hash, so a
 * RocksDB column family sorted by key groups nodes by creation version.
 */
public final class NodeKey {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    public static final int ENCODED_LENGTH = 8 + Hash32.LENGTH;
    /** The empty subtree: hash of 32 zero bytes, never stored. */
    public static final NodeKey EMPTY = new NodeKey(0, new byte[Hash32.LENGTH]);

    private final long version;
    /**
     * The hash as four big-endian longs rather than a byte array: one object per key instead of
     * two, which matters for the garbage collector with millions of nodes on the heap.
     */
    private final long hash0;
    private final long hash1;
    private final long hash2;
    private final long hash3;

    /** Reads the hash from {@code hash[0..32)}; the array is not kept. */
    NodeKey(long version, byte[] hash) {
        this(version, hash, 0);
    }

    NodeKey(long version, byte[] buffer, int offset) {
        this.version = version;
        this.hash0 = (long) LONGS.get(buffer, offset);
        this.hash1 = (long) LONGS.get(buffer, offset + 8);
        this.hash2 = (long) LONGS.get(buffer, offset + 16);
        this.hash3 = (long) LONGS.get(buffer, offset + 24);
    }

    /** From the hash's four big-endian words (the in-memory store's records). */
    NodeKey(long version, long hash0, long hash1, long hash2, long hash3) {
        this.version = version;
        this.hash0 = hash0;
        this.hash1 = hash1;
        this.hash2 = hash2;
        this.hash3 = hash3;
    }

    public static NodeKey of(long version, Hash32 hash) {
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
        return new NodeKey(version, hash.toByteArray());
    }

    public static NodeKey fromBytes(byte[] encoded) {
        if (encoded.length != ENCODED_LENGTH) {
            throw new IllegalArgumentException("a node key has " + ENCODED_LENGTH + " bytes, got " + encoded.length);
        }
        long version = (long) LONGS.get(encoded, 0);
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
        return new NodeKey(version, encoded, 8);
    }

    public byte[] toBytes() {
        byte[] out = new byte[ENCODED_LENGTH];
        LONGS.set(out, 0, version);
        copyHashTo(out, 8);
        return out;
    }

    public long version() {
        return version;
    }

    public Hash32 hash() {
        return Hash32.of(hashBytes());
    }

    public boolean isEmpty() {
        return this == EMPTY;
    }

    /** The first 8 hash bytes as a big-endian long (uniform digest bits, for hash tables). */
    long hashPrefix() {
        return hash0;
    }

    /** Writes the 32-byte hash at {@code destination[offset..offset+32)}. */
    void copyHashTo(byte[] destination, int offset) {
        LONGS.set(destination, offset, hash0);
        LONGS.set(destination, offset + 8, hash1);
        LONGS.set(destination, offset + 16, hash2);
        LONGS.set(destination, offset + 24, hash3);
    }

    /** A fresh copy of the hash bytes. */
    byte[] hashBytes() {
        byte[] out = new byte[Hash32.LENGTH];
        copyHashTo(out, 0);
        return out;
    }

    /** Whether this key's hash equals {@code hash[0..32)}. */
    boolean hashEquals(byte[] hash) {
        return hash.length == Hash32.LENGTH && hash0 == (long) LONGS.get(hash, 0) && hash1 == (long) LONGS.get(hash, 8)
                && hash2 == (long) LONGS.get(hash, 16) && hash3 == (long) LONGS.get(hash, 24);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeKey other && version == other.version && hash0 == other.hash0 && hash1 == other.hash1
                && hash2 == other.hash2 && hash3 == other.hash3;
    }

    @Override
    public int hashCode() {
        // Digest bytes are uniform: four of them spread the keys; the version separates re-creations.
        return (int) (hash0 >>> 32) ^ Long.hashCode(version * 0x9E3779B97F4A7C15L);
    }

    @Override
    public String toString() {
        return isEmpty() ? "empty" : "v" + version + ":" + HexFormat.of().withLowerCase().toHexDigits(hash0);
    }
}
