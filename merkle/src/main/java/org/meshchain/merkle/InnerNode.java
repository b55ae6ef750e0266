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

    InnerNode(NodeKey key, NodeKey left, NodeKey right) {
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

    @Override
    public String toString() {
        return "Inner[" + key + ", " + left + ", " + right + "]";
    }
}
