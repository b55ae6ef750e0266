package org.meshchain.merkle;

import java.util.Arrays;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;

/**
 * Byte form of a stored node, for persistent {@link NodeStore}s. The key is not part of the
 * bytes (it is the storage key); decoding recomputes the node's hash and rejects bytes that do not
 * match their key, so corruption is reported instead of returned.
 *
 * <p>Leaf: tag 0, path (32), value hash (32), value (length-prefixed). Inner: tag 1, left key,
 * right key (each {@link NodeKey#ENCODED_LENGTH} bytes; the empty subtree is version 0, zero hash).
 * The child keys' versions are not covered by the hash: a corrupted one shows up as a missing node.
 */
public final class SmtNodeCodec {

    private static final int TAG_LEAF = 0;
    private static final int TAG_INNER = 1;

    private SmtNodeCodec() {
    }

    public static byte[] encode(SmtNode node) {
        CanonicalWriter writer = new CanonicalWriter();
        switch (node) {
            case LeafNode leaf -> writer.tag(TAG_LEAF)
                    .fixed(leaf.pathBytes())
                    .fixed(leaf.valueHashBytes())
                    .bytes(leaf.value());
            case InnerNode inner -> writer.tag(TAG_INNER)
                    .fixed(inner.left().toBytes())
                    .fixed(inner.right().toBytes());
        }
        return writer.toByteArray();
    }

    /** Length of {@link #encode}{@code (node)}, without encoding it. */
    public static int encodedLength(SmtNode node) {
        return switch (node) {
            case LeafNode leaf -> 1 + 2 * Hash32.LENGTH + uleb128Length(leaf.value().length()) + leaf.value().length();
            case InnerNode inner -> 1 + 2 * NodeKey.ENCODED_LENGTH;
        };
    }

    /**
     * Writes {@link #encode}{@code (node)}'s bytes at {@code destination[offset..)} without allocating
     * (for stores that encode many nodes straight into a write batch); returns the length written.
     */
    public static int encodeTo(SmtNode node, byte[] destination, int offset) {
        int at = offset;
        switch (node) {
            case LeafNode leaf -> {
                destination[at++] = TAG_LEAF;
                System.arraycopy(leaf.pathBytes(), 0, destination, at, Hash32.LENGTH);
                at += Hash32.LENGTH;
                System.arraycopy(leaf.valueHashBytes(), 0, destination, at, Hash32.LENGTH);
                at += Hash32.LENGTH;
                long length = leaf.value().length();
                do {
                    int low = (int) (length & 0x7F);
                    length >>>= 7;
                    destination[at++] = (byte) (length == 0 ? low : low | 0x80);
                } while (length != 0);
                leaf.value().copyTo(destination, at);
                at += leaf.value().length();
            }
            case InnerNode inner -> {
                destination[at++] = TAG_INNER;
                encodeKeyTo(inner.left(), destination, at);
                encodeKeyTo(inner.right(), destination, at + NodeKey.ENCODED_LENGTH);
                at += 2 * NodeKey.ENCODED_LENGTH;
            }
        }
        return at - offset;
    }

    /** Writes {@link NodeKey#toBytes()}'s bytes at {@code destination[offset..offset+40)} without allocating. */
    public static void encodeKeyTo(NodeKey key, byte[] destination, int offset) {
        long version = key.version();
        for (int i = 7; i >= 0; i--) {
            destination[offset + i] = (byte) version;
            version >>>= 8;
        }
        key.copyHashTo(destination, offset + 8);
    }

    private static int uleb128Length(long value) {
        int length = 1;
        while ((value >>>= 7) != 0) {
            length++;
        }
        return length;
    }

    /** Decodes the node stored under {@code key}; values longer than {@code maxValueBytes} are rejected. */
    public static SmtNode decode(NodeKey key, byte[] bytes, int maxValueBytes) throws DecodeException {
        CanonicalReader reader = new CanonicalReader(bytes);
        SmtHasher hasher = new SmtHasher();
        SmtNode node;
        byte[] hash;
        if (reader.tag("node", 2) == TAG_LEAF) {
            byte[] path = reader.fixed("leaf.path", Hash32.LENGTH);
            byte[] valueHash = reader.fixed("leaf.valueHash", Hash32.LENGTH);
            var value = reader.bytes("leaf.value", maxValueBytes);
            if (!Arrays.equals(hasher.value(value), valueHash)) {
                throw new DecodeException("leaf.valueHash", DecodeException.Kind.INVALID_VALUE, "does not match the value");
            }
            hash = hasher.leaf(path, valueHash);
            node = new LeafNode(key, path, valueHash, value);
        } else {
            NodeKey left = readChild(reader, "inner.left");
            NodeKey right = readChild(reader, "inner.right");
            if (left.isEmpty() && right.isEmpty()) {
                throw new DecodeException("inner", DecodeException.Kind.INVALID_VALUE, "both children empty");
            }
            hash = hasher.inner(left.hashBytes(), right.hashBytes());
            node = new InnerNode(key, left, right);
        }
        reader.finish("node");
        if (!key.hashEquals(hash)) {
            throw new DecodeException("node", DecodeException.Kind.INVALID_VALUE, "content does not hash to its key " + key);
        }
        return node;
    }

    private static NodeKey readChild(CanonicalReader reader, String field) throws DecodeException {
        byte[] encoded = reader.fixed(field, NodeKey.ENCODED_LENGTH);
        if (encoded[0] < 0) {
            throw new DecodeException(field, DecodeException.Kind.INVALID_VALUE, "negative version");
        }
        NodeKey child = NodeKey.fromBytes(encoded);
        return child.equals(NodeKey.EMPTY) ? NodeKey.EMPTY : child;
    }
}
