package org.meshchain.merkle;

import java.util.Arrays;
import org.meshchain.core.crypto.Hash32;

/** Where a subtree's path interval lies relative to a closed range {@code [start, end]}. */
final class RangeBounds {

    enum Position {
        /** Every path of the subtree is in the range. */
        INSIDE,
        /** No path of the subtree is in the range. */
        OUTSIDE,
        /** Some paths are in the range and some are not: the subtree holds a bound's boundary. */
        STRADDLING
    }

    private RangeBounds() {
    }

    /**
     * Classifies the subtree at {@code depth} whose paths start with the first {@code depth} bits of
     * {@code prefix} (the remaining bits of {@code prefix} are zero).
     */
    static Position classify(byte[] prefix, int depth, byte[] start, byte[] end) {
        byte[] highest = prefix.clone();
        for (int i = depth; i < SparseMerkleTree.DEPTH; i++) {
            highest[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        if (Arrays.compareUnsigned(highest, start) < 0 || Arrays.compareUnsigned(prefix, end) > 0) {
            return Position.OUTSIDE;
        }
        if (Arrays.compareUnsigned(prefix, start) >= 0 && Arrays.compareUnsigned(highest, end) <= 0) {
            return Position.INSIDE;
        }
        return Position.STRADDLING;
    }

    static boolean contains(byte[] path, byte[] start, byte[] end) {
        return Arrays.compareUnsigned(path, start) >= 0 && Arrays.compareUnsigned(path, end) <= 0;
    }

    /** The prefix of the child on side {@code bit} of the subtree at {@code depth}. */
    static byte[] child(byte[] prefix, int depth, int bit) {
        byte[] child = prefix.clone();
        if (bit == 1) {
            child[depth >>> 3] |= (byte) (0x80 >>> (depth & 7));
        }
        return child;
    }

    /** Whether {@code path} agrees with {@code prefix} on the first {@code depth} bits. */
    static boolean hasPrefix(byte[] path, byte[] prefix, int depth) {
        int fullBytes = depth >>> 3;
        if (!Arrays.equals(path, 0, fullBytes, prefix, 0, fullBytes)) {
            return false;
        }
        int restBits = depth & 7;
        if (restBits == 0) {
            return true;
        }
        int mask = (0xFF << (8 - restBits)) & 0xFF;
        return (path[fullBytes] & mask) == (prefix[fullBytes] & mask);
    }

    static byte[] emptyPrefix() {
        return new byte[Hash32.LENGTH];
    }
}
