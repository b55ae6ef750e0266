package org.meshchain.merkle;

/**
 * An inner node: {@code SHA-256(0x01 || left.hash || right.hash)}. It always has at least two
 * leaves below it (a subtree with one leaf is that leaf), so at most one child is empty, and an
 * empty child's sibling is itself an inner node.
 */
public final class InnerNode implements SmtNode {

    private final NodeKey key;
    private final NodeKey left;
    private final NodeKey right;
    /**
     * Memo of the child nodes, so that walks do not look children up in the store again. Children
     * of a node are reachable whenever the node is, so the memo never keeps a pruned node alive
     * longer than its parent. Racy writes are benign: any thread stores the same node.
     */
    private SmtNode leftNode;
    private SmtNode rightNode;
    /**
     * The node's reference in {@link InMemoryNodeStore}'s arena when it was materialised from there
     * for a read (its children are then read from the arena), else 0.
     */
    final int arenaRef;

    InnerNode(NodeKey key, NodeKey left, NodeKey right) {
        this(key, left, right, 0);
    }

    InnerNode(NodeKey key, NodeKey left, NodeKey right, int arenaRef) {
        this.arenaRef = arenaRef;
        assert !(left.isEmpty() && right.isEmpty()) : "an inner node has at least one non-empty child";
        this.key = key;
        this.left = left;
        this.right = right;
    }

    @Override
    public NodeKey key() {
        return key;
    }

    public NodeKey left() {
        return left;
    }

    public NodeKey right() {
        return right;
    }

    /** Child for path bit {@code bit} (0 = left). */
    NodeKey child(int bit) {
        return bit == 0 ? left : right;
    }

    /** The memoised child node for path bit {@code bit}, or null if not loaded yet (or empty). */
    SmtNode cachedChild(int bit) {
        return bit == 0 ? leftNode : rightNode;
    }

    void cacheChild(int bit, SmtNode node) {
        assert node == null || node.key().equals(child(bit)) : "memo must hold the child's own node";
        if (bit == 0) {
            leftNode = node;
        } else {
            rightNode = node;
        }
    }

    @Override
    public String toString() {
        return "Inner[" + key + ", " + left + ", " + right + "]";
    }
}
