package org.meshchain.persistence.state;

import java.util.Arrays;
import java.util.List;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtNodeCodec;
import org.meshchain.merkle.VersionCommit;
import org.meshchain.persistence.chain.StateDelta;

/**
 * A state tree version's writes in their stored bytes (schema 3, ADR 0058): the new nodes in key
 * order, the version's one stale-index entry, its root. Built once per version, ideally by the thread
 * that computed the version (the executor, ADR 0072), so the committing thread only copies bytes into
 * its batch. Immutable; {@link #writeTo} may run on any thread, any number of times.
 */
final class EncodedVersion implements StateDelta.Encoded {

    private static final byte[] NO_VALUE = new byte[0];
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final int nodeCount;
    /** The new nodes' keys, 40 bytes each, in key order. */
    private final byte[] nodeKeys;
    /** The new nodes' encodings, concatenated in the same order; node i ends at {@code valueEnds[i]}. */
    private final byte[] nodeValues;
    private final int[] valueEnds;
    /** The stale-index value: the keys of the nodes this version made stale (empty: no entry). */
    private final byte[] staleKeys;
    private final byte[] versionKey;
    private final byte[] rootValue;
    private final long byteSize;

    EncodedVersion(VersionCommit commit) {
        List<SmtNode> newNodes = commit.newNodes();
        int n = newNodes.size();
        byte[] unsortedKeys = new byte[n * NodeKey.ENCODED_LENGTH];
        long totalValueBytes = 0;
        for (int i = 0; i < n; i++) {
            SmtNode node = newNodes.get(i);
            SmtNodeCodec.encodeKeyTo(node.key(), unsortedKeys, i * NodeKey.ENCODED_LENGTH);
            totalValueBytes += SmtNodeCodec.encodedLength(node);
        }
        if (totalValueBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("state version " + commit.version() + " has " + n + " new nodes of "
                    + totalValueBytes + " encoded bytes: more than one write batch can hold");
        }
        int valueBytes = (int) totalValueBytes;
        int[] order = inKeyOrder(unsortedKeys, n);
        this.nodeCount = n;
        this.nodeKeys = new byte[n * NodeKey.ENCODED_LENGTH];
        this.nodeValues = new byte[valueBytes];
        this.valueEnds = new int[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            int position = order[i];
            System.arraycopy(unsortedKeys, position * NodeKey.ENCODED_LENGTH, nodeKeys, i * NodeKey.ENCODED_LENGTH,
                    NodeKey.ENCODED_LENGTH);
            at += SmtNodeCodec.encodeTo(newNodes.get(position), nodeValues, at);
            valueEnds[i] = at;
        }
        assert at == valueBytes : "encoded " + at + " node bytes, expected " + valueBytes;
        List<NodeKey> stale = commit.staleNodes();
        this.staleKeys = new byte[stale.size() * NodeKey.ENCODED_LENGTH];
        for (int i = 0; i < stale.size(); i++) {
            SmtNodeCodec.encodeKeyTo(stale.get(i), staleKeys, i * NodeKey.ENCODED_LENGTH);
        }
        this.versionKey = RocksDbNodeStore.versionKey(commit.version());
        this.rootValue = commit.root().isEmpty() ? NO_VALUE : commit.root().toBytes();
        this.byteSize = nodeKeys.length + (long) nodeValues.length + (staleKeys.length == 0 ? 0 : 8L + staleKeys.length)
                + 8L + rootValue.length;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public void writeTo(StateDelta.Sink sink) {
        int start = 0;
        for (int i = 0; i < nodeCount; i++) {
            sink.put(StateDelta.Column.NODES, nodeKeys, i * NodeKey.ENCODED_LENGTH, NodeKey.ENCODED_LENGTH,
                    nodeValues, start, valueEnds[i] - start);
            start = valueEnds[i];
        }
        if (staleKeys.length > 0) {
            sink.put(StateDelta.Column.STALE, versionKey, 0, 8, staleKeys, 0, staleKeys.length);
        }
        sink.put(StateDelta.Column.ROOTS, versionKey, 0, 8, rootValue, 0, rootValue.length);
    }

    /**
     * Positions of the {@code n} 40-byte node keys in {@code keys} (one version: same 8-byte prefix) in
     * increasing key order. Sorted as primitive longs: the hash's first 8 bytes, sign-flipped for
     * unsigned order, with the position in the low bits (no boxing, no comparator); keys whose
     * remaining high bits tie (for 12,000 keys, ~1 in 10^7 blocks) are then ordered by their full bytes.
     */
    static int[] inKeyOrder(byte[] keys, int n) {
        int indexBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)));
        long highMask = -1L << indexBits;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            long prefix = (long) LONGS.get(keys, i * NodeKey.ENCODED_LENGTH + 8) ^ Long.MIN_VALUE;
            packed[i] = (prefix & highMask) | i;
        }
        Arrays.sort(packed);
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = (int) (packed[i] & ~highMask);
        }
        for (int i = 1; i < n; i++) {
            // insertion sort within runs of equal high bits (almost never longer than one)
            for (int j = i; j > 0 && (packed[j] & highMask) == (packed[j - 1] & highMask)
                    && compareKeys(keys, positions[j - 1], positions[j]) > 0; j--) {
                int swap = positions[j];
                positions[j] = positions[j - 1];
                positions[j - 1] = swap;
            }
        }
        return positions;
    }

    private static int compareKeys(byte[] keys, int a, int b) {
        return Arrays.compareUnsigned(keys, a * NodeKey.ENCODED_LENGTH, (a + 1) * NodeKey.ENCODED_LENGTH,
                keys, b * NodeKey.ENCODED_LENGTH, (b + 1) * NodeKey.ENCODED_LENGTH);
    }
}
