package org.meshchain.merkle;

import java.security.DigestException;
import java.security.MessageDigest;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * The tree's hash functions (ICS-23 {@code SmtSpec} / celestiaorg/smt layout), computed in place:
 * one reused 65-byte block and the thread's reused SHA-256 instance; the only allocation per hash
 * is the 32-byte result, which the new node keeps. Counts its SHA-256 calls (a plain field
 * increment, cheaper than testing whether counting is on). One instance per operation and thread.
 */
final class SmtHasher {

    static final byte LEAF_PREFIX = 0x00;
    static final byte INNER_PREFIX = 0x01;
    static final int BLOCK_LENGTH = 1 + 2 * Hash32.LENGTH;

    private final MessageDigest digest = Hashing.sha256Digest();
    private final byte[] block = new byte[BLOCK_LENGTH];
    private final byte[] output = new byte[Hash32.LENGTH];
    private byte[] valueScratch = new byte[64];
    private long calls;

    /** {@code SHA-256(0x00 || path || valueHash)}. */
    byte[] leaf(byte[] path, byte[] valueHash) {
        block[0] = LEAF_PREFIX;
        System.arraycopy(path, 0, block, 1, Hash32.LENGTH);
        System.arraycopy(valueHash, 0, block, 1 + Hash32.LENGTH, Hash32.LENGTH);
        return hashBlock();
    }

    /** {@code SHA-256(0x01 || left || right)}. */
    byte[] inner(byte[] left, byte[] right) {
        block[0] = INNER_PREFIX;
        System.arraycopy(left, 0, block, 1, Hash32.LENGTH);
        System.arraycopy(right, 0, block, 1 + Hash32.LENGTH, Hash32.LENGTH);
        return hashBlock();
    }

    /** The key of a new leaf: {@code SHA-256(0x00 || path || valueHash)}, hashed without allocating a result array. */
    NodeKey leafKey(long version, byte[] path, byte[] valueHash) {
        block[0] = LEAF_PREFIX;
        System.arraycopy(path, 0, block, 1, Hash32.LENGTH);
        System.arraycopy(valueHash, 0, block, 1 + Hash32.LENGTH, Hash32.LENGTH);
        digest.update(block, 0, BLOCK_LENGTH);
        return new NodeKey(version, finishInto());
    }

    /** The key of a new inner node: {@code SHA-256(0x01 || left || right)}. */
    NodeKey innerKey(long version, NodeKey left, NodeKey right) {
        block[0] = INNER_PREFIX;
        left.copyHashTo(block, 1);
        right.copyHashTo(block, 1 + Hash32.LENGTH);
        digest.update(block, 0, BLOCK_LENGTH);
        return new NodeKey(version, finishInto());
    }

    /** {@code SHA-256(value)}. */
    byte[] value(Bytes value) {
        int length = value.length();
        if (valueScratch.length < length) {
            valueScratch = new byte[Math.max(length, valueScratch.length * 2)];
        }
        value.copyTo(valueScratch, 0);
        digest.update(valueScratch, 0, length);
        return finish();
    }

    long calls() {
        return calls;
    }

    private byte[] hashBlock() {
        digest.update(block, 0, BLOCK_LENGTH);
        return finish();
    }

    /** Finishes into the reused output buffer (valid until the next hash). */
    private byte[] finishInto() {
        calls++;
        try {
            digest.digest(output, 0, Hash32.LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 output fits its 32-byte buffer", e);
        }
        return output;
    }

    private byte[] finish() {
        calls++;
        byte[] out = new byte[Hash32.LENGTH];
        try {
            digest.digest(out, 0, Hash32.LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 output fits its 32-byte buffer", e);
        }
        return out;
    }

    /** The bit of {@code path} at {@code index}, counted from the most significant bit of byte 0. */
    static int bit(byte[] path, int index) {
        return (path[index >>> 3] >>> (7 - (index & 7))) & 1;
    }

    /** Index of the first of the sorted {@code paths[from..to)} with bit {@code depth} set (they share the bits above it). */
    static int firstWithBitSet(byte[][] paths, int depth, int from, int to) {
        int low = from;
        int high = to;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (bit(paths[mid], depth) == 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
