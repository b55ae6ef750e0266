package org.meshchain.merkle;

import java.util.Arrays;
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

    public static final int ENCODED_LENGTH = 8 + Hash32.LENGTH;
    /** The empty subtree: hash of 32 zero bytes, never stored. */
    public static final NodeKey EMPTY = new NodeKey(0, new byte[Hash32.LENGTH]);

    private static final java.lang.invoke.VarHandle HASH_PREFIX =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final long version;
    /** Owned, never exposed or modified (hashes are computed into fresh arrays). */
    private final byte[] hash;

    NodeKey(long version, byte[] hash) {
        assert hash.length == Hash32.LENGTH;
        this.version = version;
        this.hash = hash;
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
        long version = 0;
        for (int i = 0; i < 8; i++) {
            version = version << 8 | (encoded[i] & 0xFF);
        }
        return of(version, Hash32.of(Arrays.copyOfRange(encoded, 8, ENCODED_LENGTH)));
    }

    public byte[] toBytes() {
        byte[] out = new byte[ENCODED_LENGTH];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (version >>> (56 - 8 * i));
        }
        System.arraycopy(hash, 0, out, 8, Hash32.LENGTH);
        return out;
    }

    public long version() {
        return version;
    }

    public Hash32 hash() {
        return Hash32.of(hash);
    }

    public boolean isEmpty() {
        return this == EMPTY;
    }

    /** The first 8 hash bytes as a big-endian long (uniform digest bits, for hash tables). */
    long hashPrefix() {
        return (long) HASH_PREFIX.get(hash, 0);
    }

    /** The raw hash for in-place hashing; callers must not modify it. */
    byte[] hashBytes() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeKey other && version == other.version && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        // Digest bytes are uniform: four of them spread the keys; the version separates re-creations.
        int h = (hash[0] & 0xFF) << 24 | (hash[1] & 0xFF) << 16 | (hash[2] & 0xFF) << 8 | (hash[3] & 0xFF);
        return h ^ Long.hashCode(version * 0x9E3779B97F4A7C15L);
    }

    @Override
    public String toString() {
        return isEmpty() ? "empty" : "v" + version + ":" + HexFormat.of().formatHex(hash, 0, 8);
    }
}
