package org.meshchain.persistence.snapshot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.meshchain.merkle.NodeKey;
import org.meshchain.persistence.chain.StateFileWriter;

/**
 * The encoded tree nodes of one import batch, held until they are sorted into an SST file. They
 * are packed back to back ({@code key (40) | value length (4) | value}) into a few large pages
 * rather than kept as two small arrays each: a batch holds hundreds of thousands of nodes for
 * seconds, and as separate objects every young collection would copy them all.
 */
final class NodeRun {

    private static final int PAGE_BYTES = 4 << 20;
    private static final int KEY_BYTES = NodeKey.ENCODED_LENGTH;
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static final int INDEX_BITS = 24;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    /** Nodes one run may hold: what {@link #keyOrder}'s index bits can number. */
    static final int MAX_NODES = 1 << INDEX_BITS;

    private final List<byte[]> pages = new ArrayList<>();
    private byte[] page;
    private int pageUsed;
    /** Per node: page index (high 32 bits) and offset in the page (low 32 bits). */
    private long[] positions = new long[1 << 12];
    /** Per node: its sort key for {@link #keyOrder} (hash prefix above the node's index), made as it is added. */
    private long[] sortKeys = new long[1 << 12];
    private int size;
    private long bytes;

    void add(byte[] key, byte[] value) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a node key has " + KEY_BYTES + " bytes, got " + key.length);
        }
        if (size == MAX_NODES) {
            throw new IllegalStateException("a run holds at most " + MAX_NODES + " nodes");
        }
        int record = KEY_BYTES + 4 + value.length;
        if (page == null || pageUsed + record > page.length) {
            page = new byte[Math.max(PAGE_BYTES, record)];
            pages.add(page);
            pageUsed = 0;
        }
        System.arraycopy(key, 0, page, pageUsed, KEY_BYTES);
        INT_BE.set(page, pageUsed + KEY_BYTES, value.length);
        System.arraycopy(value, 0, page, pageUsed + KEY_BYTES + 4, value.length);
        if (size == positions.length) {
            positions = Arrays.copyOf(positions, size * 2);
            sortKeys = Arrays.copyOf(sortKeys, size * 2);
        }
        long prefix = (long) LONG_BE.get(key, 8);
        sortKeys[size] = ((prefix >>> INDEX_BITS) << INDEX_BITS ^ Long.MIN_VALUE) | size;
        positions[size++] = ((long) (pages.size() - 1) << 32) | pageUsed;
        pageUsed += record;
        bytes += KEY_BYTES + value.length;
    }

    int size() {
        return size;
    }

    /** Key and value bytes held. */
    long bytes() {
        return bytes;
    }

    /** Writes every node to {@code file} in increasing key order. */
    void writeSorted(StateFileWriter file) {
        for (int index : keyOrder()) {
            byte[] source = pages.get((int) (positions[index] >>> 32));
            int offset = (int) positions[index];
            int valueLength = (int) INT_BE.get(source, offset + KEY_BYTES);
            file.put(source, offset, KEY_BYTES, source, offset + KEY_BYTES + 4, valueLength);
        }
    }

    /**
     * Node indexes in increasing key order. Node keys are version (8) || hash (32), one version per
     * run, so the order is the hashes' order; sorted without touching the keys in the common case:
     * each node gets one long, the top 40 bits of its hash (sign-flipped so a signed sort orders
     * them unsigned) above its 24-bit index, and a primitive sort of those longs orders the nodes.
     * Keys whose 40-bit prefixes tie (a few percent of runs of 300,000 nodes hold one such pair)
     * are put in order by comparing their whole keys.
     */
    int[] keyOrder() {
        long[] packed = Arrays.copyOf(sortKeys, size);
        Arrays.sort(packed);
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = (int) (packed[i] & INDEX_MASK);
        }
        for (int runStart = 0; runStart < size; ) {
            int runEnd = runStart + 1;
            while (runEnd < size && (packed[runEnd] & ~INDEX_MASK) == (packed[runStart] & ~INDEX_MASK)) {
                runEnd++;
            }
            if (runEnd - runStart > 1) {
                Integer[] tied = new Integer[runEnd - runStart];
                for (int i = 0; i < tied.length; i++) {
                    tied[i] = order[runStart + i];
                }
                Arrays.sort(tied, this::compareKeys);
                for (int i = 0; i < tied.length; i++) {
                    order[runStart + i] = tied[i];
                }
            }
            runStart = runEnd;
        }
        return order;
    }

    private int compareKeys(int a, int b) {
        byte[] pageA = pages.get((int) (positions[a] >>> 32));
        byte[] pageB = pages.get((int) (positions[b] >>> 32));
        int offsetA = (int) positions[a];
        int offsetB = (int) positions[b];
        return Arrays.compareUnsigned(pageA, offsetA, offsetA + KEY_BYTES, pageB, offsetB, offsetB + KEY_BYTES);
    }

    /** The key of node {@code index} (in insertion order). */
    byte[] key(int index) {
        int offset = (int) positions[index];
        return Arrays.copyOfRange(pages.get((int) (positions[index] >>> 32)), offset, offset + KEY_BYTES);
    }
}
