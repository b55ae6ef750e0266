package org.meshchain.core.types;

import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * Root over a block's transaction ids: a binary Merkle tree split at the largest power of two
 * below n (the RFC 6962 shape), with domain-separated leaf and node hashes. Empty list: ZERO.
 */
public final class TxRoot {

    private TxRoot() {
    }

    public static Hash32 of(List<SignedTransaction> transactions) {
        List<Hash32> ids = new ArrayList<>(transactions.size());
        for (SignedTransaction tx : transactions) {
            ids.add(tx.id());
        }
        return ofIds(ids);
    }

    public static Hash32 ofIds(List<Hash32> ids) {
        if (ids.isEmpty()) {
            return Hash32.ZERO;
        }
        return subtree(ids, 0, ids.size());
    }

    private static Hash32 subtree(List<Hash32> ids, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return Hashing.tagged("TxLeaf", ids.get(from).toByteArray());
        }
        int split = Integer.highestOneBit(n - 1);
        Hash32 left = subtree(ids, from, from + split);
        Hash32 right = subtree(ids, from + split, to);
        byte[] both = new byte[64];
        left.copyTo(both, 0);
        right.copyTo(both, 32);
        return Hashing.tagged("TxNode", both);
    }
}
