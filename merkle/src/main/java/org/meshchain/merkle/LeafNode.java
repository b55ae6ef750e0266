package org.meshchain.merkle;

import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/**
 * A leaf: one (path, value). Its hash, {@code SHA-256(0x00 || path || SHA-256(value))}, does not
 * depend on its depth, so a leaf moves up or down the tree unchanged (same key) when siblings
 * come and go.
 */
public final class LeafNode implements SmtNode {

    private final NodeKey key;
    private final byte[] path;
    private final byte[] valueHash;
    private final Bytes value;

    LeafNode(NodeKey key, byte[] path, byte[] valueHash, Bytes value) {
        this.key = key;
        this.path = path;
        this.valueHash = valueHash;
        this.value = value;
    }

    @Override
    public NodeKey key() {
        return key;
    }

    public Hash32 path() {
        return Hash32.of(path);
    }

    public Hash32 valueHash() {
        return Hash32.of(valueHash);
    }

    public Bytes value() {
        return value;
    }

    byte[] pathBytes() {
        return path;
    }

    byte[] valueHashBytes() {
        return valueHash;
    }

    @Override
    public String toString() {
        return "Leaf[" + key + ", path=" + path() + "]";
    }
}
