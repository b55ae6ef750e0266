package org.meshchain.merkle;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.meshchain.core.crypto.Hash32;

/**
 * Builds one tree version bottom-up from verified range chunks that tile the key space in order
 * (a snapshot import), hashing every node once. Each chunk is checked against the certified root
 * with its range proof; the same hashing yields the nodes of the subtrees wholly inside the chunk.
 * Those subtrees then go on a stack (at most one entry per depth) and are joined, in key order,
 * with the nodes on the chunk boundaries, so the finished tree equals the one that inserting every
 * entry would give, without ever holding more than one chunk's nodes in memory.
 *
 * <p>Joining: each stack entry is a complete subtree at some depth. Before a subtree is pushed, the
 * entries above the first bit where its path differs from the previous subtree's are folded: a
 * single leaf rises to the depth of its nearest neighbour for free (a lone leaf sits at the
 * shallowest depth where its path is unique); an inner subtree rises one level per hash with an
 * empty sibling; two subtrees at the same depth are siblings and become their parent.
 *
 * <p>The builder's state between chunks is small ({@link #checkpoint()}) so an interrupted import
 * resumes from its last written chunk ({@link #resume}).
 */
public final class SmtChunkBuilder {

    private static final byte[] LAST_PATH = filled((byte) 0xFF);

    private final Hash32 root;
    private final long version;
    private final SmtHasher hasher = new SmtHasher();
    private final ArrayList<Subtree> stack = new ArrayList<>();
    private List<SmtNode> newNodes = new ArrayList<>();
    /** Where the next chunk must start; null once a chunk ended at the last path. */
    private byte[] nextStart = new byte[Hash32.LENGTH];

    private record Subtree(int depth, NodeKey key, boolean singleLeaf, byte[] path) {
    }

    /** A builder of {@code version} whose chunks must prove against {@code certifiedRoot}. */
    public SmtChunkBuilder(Hash32 certifiedRoot, long version) {
        this.root = Objects.requireNonNull(certifiedRoot, "certifiedRoot");
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
        this.version = version;
    }

    /**
     * Verifies the chunk {@code [start, end]} and, if its proof holds, adds its subtrees. Chunks come
     * in key order: the first starts at path 0, each next one right after the previous end, the last
     * ends at path 2^256 - 1.
     *
     * @return false (and nothing changed) if the range proof does not verify against the root
     * @throws IllegalArgumentException if the chunk does not start where the previous one ended
     */
    public boolean addChunk(Hash32 start, Hash32 end, List<SmtEntry> entries, SmtRangeProof proof) {
        if (nextStart == null) {
            throw new IllegalArgumentException("the chunks already covered the key space");
        }
        byte[] startBytes = start.toByteArray();
        if (!Arrays.equals(startBytes, nextStart)) {
            throw new IllegalArgumentException("chunk starts at " + start + ", expected " + Hash32.of(nextStart));
        }
        SmtRangeProof.VerifiedRange verified = SmtRangeProof.verifyAndBuild(root, start, end, entries, proof, version);
        if (verified == null) {
            return false;
        }
        newNodes.addAll(verified.nodes());
        for (SmtRangeProof.RangeSubtree subtree : verified.subtrees()) {
            push(new Subtree(subtree.depth(), subtree.key(), subtree.singleLeaf(), subtree.path()));
        }
        byte[] endBytes = end.toByteArray();
        nextStart = Arrays.equals(endBytes, LAST_PATH) ? null : successor(endBytes);
        return true;
    }

    /** The nodes created since the last call (all keyed with the builder's version), to be written. */
    public List<SmtNode> takeNewNodes() {
        List<SmtNode> taken = newNodes;
        newNodes = new ArrayList<>();
        return taken;
    }

    /**
     * Joins what is left into the root once the chunks covered the key space; its hash is the
     * certified root. Take the last nodes with {@link #takeNewNodes()} afterwards.
     */
    public NodeKey finish() {
        if (nextStart != null) {
            throw new IllegalStateException("the chunks cover the key space only up to " + Hash32.of(nextStart));
        }
        if (stack.isEmpty()) {
            if (!root.equals(Hash32.ZERO)) {
                throw new IllegalStateException("no entries, but the certified root is not the empty tree's");
            }
            return NodeKey.EMPTY;
        }
        fold(0);
        Subtree top = stack.getLast();
        if (stack.size() != 1 || top.depth() != 0 || !top.key().hash().equals(root)) {
            throw new IllegalStateException("verified chunks joined into " + top.key() + ", not the certified root " + root);
        }
        return top.key();
    }

    /**
     * The builder's state between chunks: the next start path and the stack (each entry: depth,
     * single-leaf flag, node key, a path in it). The nodes themselves must already be written.
     */
    public byte[] checkpoint() {
        ByteBuffer out = ByteBuffer.allocate(1 + Hash32.LENGTH + 2 + stack.size() * (2 + 1 + NodeKey.ENCODED_LENGTH + Hash32.LENGTH));
        out.put((byte) (nextStart == null ? 0 : 1));
        out.put(nextStart == null ? new byte[Hash32.LENGTH] : nextStart);
        out.putShort((short) stack.size());
        for (Subtree subtree : stack) {
            out.putShort((short) subtree.depth());
            out.put((byte) (subtree.singleLeaf() ? 1 : 0));
            out.put(subtree.key().toBytes());
            out.put(subtree.path());
        }
        return out.array();
    }

    /** A builder that continues from {@link #checkpoint()}; malformed bytes are an IllegalArgumentException. */
    public static SmtChunkBuilder resume(Hash32 certifiedRoot, long version, byte[] checkpoint) {
        SmtChunkBuilder builder = new SmtChunkBuilder(certifiedRoot, version);
        ByteBuffer in = ByteBuffer.wrap(checkpoint);
        try {
            boolean open = in.get() == 1;
            byte[] start = new byte[Hash32.LENGTH];
            in.get(start);
            builder.nextStart = open ? start : null;
            int size = in.getShort() & 0xFFFF;
            if (size > SparseMerkleTree.DEPTH + 1) {
                throw new IllegalArgumentException("builder checkpoint with " + size + " stack entries");
            }
            int previousDepth = -1;
            for (int i = 0; i < size; i++) {
                int depth = in.getShort() & 0xFFFF;
                boolean single = in.get() == 1;
                byte[] key = new byte[NodeKey.ENCODED_LENGTH];
                in.get(key);
                byte[] path = new byte[Hash32.LENGTH];
                in.get(path);
                if (depth > SparseMerkleTree.DEPTH || depth < previousDepth) {
                    throw new IllegalArgumentException("builder checkpoint with depths out of order");
                }
                previousDepth = depth;
                builder.stack.add(new Subtree(depth, NodeKey.fromBytes(key), single, path));
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("builder checkpoint has " + in.remaining() + " trailing bytes");
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("builder checkpoint is truncated", e);
        }
        return builder;
    }

    private void push(Subtree subtree) {
        if (!stack.isEmpty()) {
            fold(firstDifferingBit(stack.getLast().path(), subtree.path()) + 1);
        }
        stack.add(subtree);
    }

    /** Joins and raises the top of the stack until it is no deeper than {@code target}. */
    private void fold(int target) {
        while (true) {
            int size = stack.size();
            Subtree top = stack.get(size - 1);
            if (top.depth() <= target) {
                return;
            }
            Subtree below = size > 1 ? stack.get(size - 2) : null;
            if (below != null && below.depth() == top.depth()) {
                // siblings: they share every bit above this depth
                NodeKey parent = hasher.innerKey(version, below.key(), top.key());
                newNodes.add(new InnerNode(parent, below.key(), top.key()));
                stack.remove(size - 1);
                stack.set(size - 2, new Subtree(top.depth() - 1, parent, false, below.path()));
                continue;
            }
            int floor = Math.max(target, below == null ? 0 : below.depth());
            if (top.singleLeaf()) {
                stack.set(size - 1, new Subtree(floor, top.key(), true, top.path()));
            } else {
                boolean right = SmtHasher.bit(top.path(), top.depth() - 1) == 1;
                NodeKey left = right ? NodeKey.EMPTY : top.key();
                NodeKey rightKey = right ? top.key() : NodeKey.EMPTY;
                NodeKey parent = hasher.innerKey(version, left, rightKey);
                newNodes.add(new InnerNode(parent, left, rightKey));
                stack.set(size - 1, new Subtree(top.depth() - 1, parent, false, top.path()));
            }
        }
    }

    private static int firstDifferingBit(byte[] a, byte[] b) {
        int index = Arrays.mismatch(a, b);
        if (index < 0) {
            throw new IllegalArgumentException("two subtrees with the same path");
        }
        return index * 8 + Integer.numberOfLeadingZeros((a[index] ^ b[index]) & 0xFF) - 24;
    }

    private static byte[] successor(byte[] path) {
        byte[] next = path.clone();
        for (int i = next.length - 1; i >= 0; i--) {
            if (++next[i] != 0) {
                break;
            }
        }
        return next;
    }

    private static byte[] filled(byte value) {
        byte[] bytes = new byte[Hash32.LENGTH];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
