package org.meshchain.core.execution;

import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.ledger.LedgerEvent;
import org.meshchain.core.ledger.Receipt;

/**
 * Roots over a block's receipts and events: binary Merkle trees in the shape of the tx root (split at
 * the largest power of two below n, RFC 6962), with their own domain tags; the empty list has the zero
 * root. A receipt's leaf is {@code H("ReceiptLeaf", receipt bytes)}, so a client proves its receipt at
 * position i with log2(n) sibling hashes (docs/adr/0021-execution-and-roots.md).
 */
public final class MerkleRoots {

    private MerkleRoots() {}

    /** Root over canonical receipt bytes, in block order. */
    public static Hash32 receiptRoot(List<Bytes> encodedReceipts) {
        List<Hash32> leaves = new ArrayList<>(encodedReceipts.size());
        for (Bytes r : encodedReceipts) {
            leaves.add(Hashing.tagged("ReceiptLeaf", r.toByteArray()));
        }
        return root(leaves, "ReceiptNode");
    }

    /**
     * Root over every event of the block in order (transaction order, then emission order); each leaf
     * binds the event to its position: {@code H("EventLeaf", u32 tx index || u32 event index || source ||
     * bytes topic || bytes data)}.
     */
    public static Hash32 eventRoot(List<Receipt> receipts) {
        List<Hash32> leaves = new ArrayList<>();
        for (int tx = 0; tx < receipts.size(); tx++) {
            List<LedgerEvent> events = receipts.get(tx).events();
            for (int e = 0; e < events.size(); e++) {
                LedgerEvent event = events.get(e);
                byte[] leaf = new CanonicalWriter(80 + event.data().length())
                        .u32(tx).u32(e).fixed(event.source().hash().toByteArray())
                        .bytes(event.topic()).bytes(event.data()).toByteArray();
                leaves.add(Hashing.tagged("EventLeaf", leaf));
            }
        }
        return root(leaves, "EventNode");
    }

    private static Hash32 root(List<Hash32> leaves, String nodeTag) {
        return leaves.isEmpty() ? Hash32.ZERO : subtree(leaves, 0, leaves.size(), nodeTag);
    }

    private static Hash32 subtree(List<Hash32> leaves, int from, int to, String nodeTag) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int split = Integer.highestOneBit(n - 1);
        byte[] both = new byte[64];
        subtree(leaves, from, from + split, nodeTag).copyTo(both, 0);
        subtree(leaves, from + split, to, nodeTag).copyTo(both, 32);
        return Hashing.tagged(nodeTag, both);
    }
}
