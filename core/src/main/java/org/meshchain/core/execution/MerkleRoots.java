package org.meshchain.core.execution;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import java.util.function.IntFunction;
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
        return receiptRoot(encodedReceipts, null, 0);
    }

    /**
     * As {@link #receiptRoot(List)}, with the subtrees below {@code forkDepth} levels computed in parallel on
     * {@code pool} (null: serially). Same tree, same root: only the order of evaluation differs.
     */
    public static Hash32 receiptRoot(List<Bytes> encodedReceipts, ForkJoinPool pool, int forkDepth) {
        return root(encodedReceipts.size(), i -> Hashing.tagged("ReceiptLeaf", encodedReceipts.get(i).toByteArray()), "ReceiptNode",
                pool, forkDepth);
    }

    /**
     * Root over every event of the block in order (transaction order, then emission order); each leaf
     * binds the event to its position: {@code H("EventLeaf", u32 tx index || u32 event index || source ||
     * bytes topic || bytes data)}.
     */
    public static Hash32 eventRoot(List<Receipt> receipts) {
        return eventRoot(receipts, null, 0);
    }

    /** As {@link #eventRoot(List)}, in parallel as {@link #receiptRoot(List, ForkJoinPool, int)}. */
    public static Hash32 eventRoot(List<Receipt> receipts, ForkJoinPool pool, int forkDepth) {
        int count = 0;
        for (Receipt r : receipts) {
            count += r.events().size();
        }
        // position of every event: transaction index and index within the transaction
        int[] txOf = new int[count];
        int[] indexOf = new int[count];
        int k = 0;
        for (int tx = 0; tx < receipts.size(); tx++) {
            for (int e = 0; e < receipts.get(tx).events().size(); e++) {
                txOf[k] = tx;
                indexOf[k] = e;
                k++;
            }
        }
        return root(count, i -> {
            LedgerEvent event = receipts.get(txOf[i]).events().get(indexOf[i]);
            byte[] leaf = new CanonicalWriter(80 + event.data().length())
                    .u32(txOf[i]).u32(indexOf[i]).fixed(event.source().hash().toByteArray())
                    .bytes(event.topic()).bytes(event.data()).toByteArray();
            return Hashing.tagged("EventLeaf", leaf);
        }, "EventNode", pool, forkDepth);
    }

    private static Hash32 root(int n, IntFunction<Hash32> leaf, String nodeTag, ForkJoinPool pool, int forkDepth) {
        if (n == 0) {
            return Hash32.ZERO;
        }
        if (pool == null || forkDepth <= 0 || n < MIN_PARALLEL_LEAVES) {
            return subtree(leaf, 0, n, nodeTag);
        }
        return pool.invoke(new Subtree(leaf, 0, n, nodeTag, forkDepth));
    }

    /** Below this many leaves a block's roots are computed on the calling thread: forking would cost more. */
    static final int MIN_PARALLEL_LEAVES = 256;

    private static Hash32 subtree(IntFunction<Hash32> leaf, int from, int to, String nodeTag) {
        int n = to - from;
        if (n == 1) {
            return leaf.apply(from);
        }
        int split = Integer.highestOneBit(n - 1);
        return node(subtree(leaf, from, from + split, nodeTag), subtree(leaf, from + split, to, nodeTag), nodeTag);
    }

    private static Hash32 node(Hash32 left, Hash32 right, String nodeTag) {
        byte[] both = new byte[64];
        left.copyTo(both, 0);
        right.copyTo(both, 32);
        return Hashing.tagged(nodeTag, both);
    }

    /** The same split as {@link #subtree}, the left half forked while the right half runs here, down to a depth. */
    private static final class Subtree extends RecursiveTask<Hash32> {
        private static final long serialVersionUID = 1L;
        private final transient IntFunction<Hash32> leaf;
        private final int from;
        private final int to;
        private final String nodeTag;
        private final int depth;

        Subtree(IntFunction<Hash32> leaf, int from, int to, String nodeTag, int depth) {
            this.leaf = leaf;
            this.from = from;
            this.to = to;
            this.nodeTag = nodeTag;
            this.depth = depth;
        }

        @Override
        protected Hash32 compute() {
            int n = to - from;
            if (depth <= 0 || n < 2) {
                return subtree(leaf, from, to, nodeTag);
            }
            int split = Integer.highestOneBit(n - 1);
            Subtree left = new Subtree(leaf, from, from + split, nodeTag, depth - 1);
            left.fork();
            Hash32 right = new Subtree(leaf, from + split, to, nodeTag, depth - 1).compute();
            return node(left.join(), right, nodeTag);
        }
    }
}
