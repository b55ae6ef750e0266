package org.meshchain.merkle;

/**
 * A stored node of the sparse Merkle tree. Empty subtrees are never stored ({@link NodeKey#EMPTY}).
 * Nodes are immutable; {@link SmtNodeCodec} gives their byte form for a persistent {@link NodeStore}.
 */
public sealed interface SmtNode permits LeafNode, InnerNode {

    /** The key this node is stored under; its hash is the node's Merkle hash. */
    NodeKey key();
}
