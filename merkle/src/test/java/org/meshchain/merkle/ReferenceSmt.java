package org.meshchain.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * The naive reference: the root recomputed from scratch from the whole key set, straight from the
 * layout's definition, with none of the tree's machinery (no stores, no versions, no in-place hashing).
 */
final class ReferenceSmt {

    private ReferenceSmt() {
    }

    static Hash32 root(SortedMap<Hash32, Bytes> entries) {
        return subtree(new ArrayList<>(entries.entrySet()), 0);
    }

    static Hash32 leafHash(Hash32 path, Bytes value) {
        return Hashing.sha256(concat(new byte[] {0}, path.toByteArray(), Hashing.sha256(value.toByteArray()).toByteArray()));
    }

    static Hash32 innerHash(Hash32 left, Hash32 right) {
        return Hashing.sha256(concat(new byte[] {1}, left.toByteArray(), right.toByteArray()));
    }

    private static Hash32 subtree(List<Map.Entry<Hash32, Bytes>> entries, int depth) {
        if (entries.isEmpty()) {
            return Hash32.ZERO;
        }
        if (entries.size() == 1) {
            return leafHash(entries.get(0).getKey(), entries.get(0).getValue());
        }
        List<Map.Entry<Hash32, Bytes>> left = new ArrayList<>();
        List<Map.Entry<Hash32, Bytes>> right = new ArrayList<>();
        for (Map.Entry<Hash32, Bytes> entry : entries) {
            (entry.getKey().bit(depth) == 0 ? left : right).add(entry);
        }
        return innerHash(subtree(left, depth + 1), subtree(right, depth + 1));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }
}
