package org.meshchain.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import org.meshchain.core.codec.Bytes;

/**
 * {@link NodeStore} on the heap, laid out as an arena (ADR 0050): nodes are records in paged
 * primitive slabs, addressed by an int reference, and a node links to its children by reference.
 * Nothing per node is an object the garbage collector traces (except a leaf's value, which the
 * caller made), and nothing is looked up by hash on the tree's own path.
 *
 * <p>References: {@code 0} is the empty subtree; {@code r > 0} is inner record {@code r};
 * {@code r < 0} is leaf record {@code -r}. Record 0 of each slab is never used. An inner record is
 * {@value #INNER_STRIDE} longs: hash (4), creation version, children ({@code left << 32 | right}).
 * A leaf record is {@value #LEAF_STRIDE} longs: hash (4), path (4), value hash (4), creation version;
 * its value sits in a parallel object page. A freed record goes on its slab's free list, and the
 * next node created reuses it.
 *
 * <p>Each version keeps its root reference and the references it made stale (stale-since index,
 * see {@link NodeStore}); pruning pushes those records on the free lists: no search, no table.
 * {@link SparseMerkleTree} updates and reads this store through the package-private reference
 * methods. The by-key methods of the port ({@link #node(NodeKey)}, and {@link #commit} of node
 * objects, which a tree over a wrapping store uses) need a key → reference index: it is built on
 * the first such call and kept up to date from then on, so the tree's own path never pays for it.
 */
public final class InMemoryNodeStore implements NodeStore {

    static final int INNER_STRIDE = 6;
    static final int LEAF_STRIDE = 13;
    private static final int PAGE_SHIFT = 13;
    private static final int PAGE_RECORDS = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_RECORDS - 1;
    private static final int INNER_VERSION = 4;
    private static final int INNER_CHILDREN = 5;
    private static final int LEAF_PATH = 4;
    private static final int LEAF_VALUE_HASH = 8;
    private static final int LEAF_VERSION = 12;

    private long[][] innerPages = new long[0][];
    private long[][] leafPages = new long[0][];
    private Bytes[][] valuePages = new Bytes[0][];
    /** Next never-used record of each slab (record 0 is reserved). */
    private int innerHigh = 1;
    private int leafHigh = 1;
    private final IntStack freeInner = new IntStack();
    private final IntStack freeLeaves = new IntStack();
    /**
     * With assertions on, one bit per record, set while the record is free, to check that no record
     * is freed twice. Without them nothing marks a freed record: being on a free list is what makes
     * it free, so pruning and reuse touch no per-record state besides the list (ADR 0052).
     */
    private static final boolean CHECK_FREES = InMemoryNodeStore.class.desiredAssertionStatus();
    private long[] innerFreeBits = new long[0];
    private long[] leafFreeBits = new long[0];
    private long nodeCount;

    /** Root references of versions {@code oldestRetained..latest}, oldest first. */
    private final IntStack roots = new IntStack();
    /** References made stale by each version, same indexing as {@link #roots}. */
    private final ArrayList<int[]> staleIndex = new ArrayList<>();
    private long oldestRetained;
    private long latest = -1;

    /** Key → reference, only once a by-key method has been called (null before). */
    private HashMap<NodeKey, Integer> keyIndex;

    // ---- the port ----

    @Override
    public SmtNode node(NodeKey key) {
        if (key.isEmpty()) {
            return null;
        }
        Integer ref = index().get(key);
        return ref == null ? null : materialize(ref);
    }

    @Override
    public NodeKey root(long version) {
        if (version < oldestRetained || version > latest) {
            return null;
        }
        return key(rootRef(version));
    }

    @Override
    public long latestVersion() {
        return latest;
    }

    @Override
    public long oldestRetainedVersion() {
        return oldestRetained;
    }

    /**
     * Adds a version given as node objects (a tree over a wrapping store commits this way). Checked
     * whole before anything is written: every node keyed with the version, none written twice, every
     * child either new in this commit or already stored.
     */
    @Override
    public void commit(VersionCommit commit) {
        checkNextVersion(commit.version());
        if (commit.newNodes().isEmpty() && commit.staleNodes().isEmpty() && commit.root().isEmpty()) {
            publish(commit.version(), 0, new int[0]);
            return;
        }
        HashMap<NodeKey, Integer> index = index();
        HashMap<NodeKey, SmtNode> fresh = new HashMap<>();
        for (SmtNode node : commit.newNodes()) {
            if (node.key().version() != commit.version()) {
                throw new IllegalArgumentException("node " + node.key() + " is not keyed with version " + commit.version());
            }
            if (index.containsKey(node.key()) || fresh.put(node.key(), node) != null) {
                throw new IllegalStateException("node " + node.key() + " written twice");
            }
        }
        for (SmtNode node : commit.newNodes()) {
            if (node instanceof InnerNode inner) {
                requireKnown(inner.left(), fresh, index);
                requireKnown(inner.right(), fresh, index);
            }
        }
        requireKnown(commit.root(), fresh, index);
        // Leaves first, then inner nodes children before parents, so every child has its reference.
        HashMap<NodeKey, Integer> written = new HashMap<>();
        for (SmtNode node : commit.newNodes()) {
            if (node instanceof LeafNode leaf) {
                int ref = newLeaf(commit.version(), leaf.pathBytes(), 0, leaf.valueHashBytes(), leafHashBytes(leaf), leaf.value());
                written.put(leaf.key(), ref);
            }
        }
        for (SmtNode node : commit.newNodes()) {
            if (node instanceof InnerNode inner) {
                writeInner(inner, fresh, written, index);
            }
        }
        index.putAll(written);
        int[] stale = new int[commit.staleNodes().size()];
        int count = 0;
        for (NodeKey key : commit.staleNodes()) {
            Integer ref = key.isEmpty() ? null : index.get(key);
            if (ref != null) {
                stale[count++] = ref;
            }
        }
        publish(commit.version(), refOf(commit.root(), written, index), Arrays.copyOf(stale, count));
    }

    @Override
    public long prune(long oldestRetained) {
        if (oldestRetained > latest) {
            throw new IllegalArgumentException("cannot prune past the latest version " + latest);
        }
        if (oldestRetained <= this.oldestRetained) {
            return 0;
        }
        int drop = (int) (oldestRetained - this.oldestRetained);
        long freed = 0;
        // What versions oldestRetained and below stopped using is unreachable from every retained version.
        for (int i = 1; i <= drop; i++) {
            for (int ref : staleIndex.get(i)) {
                if (free(ref)) {
                    freed++;
                }
            }
            staleIndex.set(i, null);
        }
        roots.removeFirst(drop);
        staleIndex.subList(0, drop).clear();
        this.oldestRetained = oldestRetained;
        return freed;
    }

    @Override
    public long nodeCount() {
        return nodeCount;
    }

    // ---- references, for the tree ----

    /** Root reference of a retained {@code version}. */
    int rootRef(long version) {
        return roots.get((int) (version - oldestRetained));
    }

    /** Makes {@code version} (= latest + 1) the newest version: its root and what it made stale. */
    void publish(long version, int rootRef, int[] staleRefs) {
        checkNextVersion(version);
        roots.push(rootRef);
        staleIndex.add(staleRefs);
        latest = version;
    }

    void checkNextVersion(long version) {
        if (version != latest + 1) {
            throw new IllegalArgumentException("version " + version + " does not follow " + latest);
        }
        if (version >= Integer.MAX_VALUE) {
            throw new IllegalStateException("in-memory node store holds at most " + Integer.MAX_VALUE + " versions");
        }
    }

    static boolean isInner(int ref) {
        return ref > 0;
    }

    /** Child {@code bit} (0 = left) of inner node {@code ref}. */
    int child(int ref, int bit) {
        long children = innerPages[ref >>> PAGE_SHIFT][(ref & PAGE_MASK) * INNER_STRIDE + INNER_CHILDREN];
        return bit == 0 ? (int) (children >>> 32) : (int) children;
    }

    /** Both children of inner node {@code ref}: {@code left << 32 | right} (see {@link #childOf}). */
    long children(int ref) {
        return innerPages[ref >>> PAGE_SHIFT][(ref & PAGE_MASK) * INNER_STRIDE + INNER_CHILDREN];
    }

    /**
     * Child {@code bit} (0 = left) from a {@link #children} word, without a branch on the bit: the
     * bit of a random path is unpredictable, and a mispredicted branch per level cost more than the
     * shift (ADR 0053).
     */
    static int childOf(long children, int bit) {
        return (int) (children >>> ((bit ^ 1) << 5));
    }

    /** Word {@code i} (0..3, big-endian) of the hash of node {@code ref}, which is not empty. */
    long hashWord(int ref, int i) {
        return ref > 0 ? innerPages[ref >>> PAGE_SHIFT][(ref & PAGE_MASK) * INNER_STRIDE + i]
                : leafPages[-ref >>> PAGE_SHIFT][(-ref & PAGE_MASK) * LEAF_STRIDE + i];
    }

    /** The hash of node {@code ref} (not empty) into {@code out[offset..offset+32)}, big-endian. */
    void copyHashInto(int ref, byte[] out, int offset) {
        long[] page;
        int at;
        if (ref > 0) {
            page = innerPages[ref >>> PAGE_SHIFT];
            at = (ref & PAGE_MASK) * INNER_STRIDE;
        } else {
            page = leafPages[-ref >>> PAGE_SHIFT];
            at = (-ref & PAGE_MASK) * LEAF_STRIDE;
        }
        Words.write(page, at, out, offset);
    }

    long version(int ref) {
        return ref > 0 ? innerPages[ref >>> PAGE_SHIFT][(ref & PAGE_MASK) * INNER_STRIDE + INNER_VERSION]
                : leafPages[-ref >>> PAGE_SHIFT][(-ref & PAGE_MASK) * LEAF_STRIDE + LEAF_VERSION];
    }

    /** The record array and offset of leaf {@code ref}: path at +4, value hash at +8. */
    long[] leafPage(int ref) {
        return leafPages[-ref >>> PAGE_SHIFT];
    }

    static int leafOffset(int ref) {
        return (-ref & PAGE_MASK) * LEAF_STRIDE;
    }

    Bytes value(int ref) {
        return valuePages[-ref >>> PAGE_SHIFT][-ref & PAGE_MASK];
    }

    /** Writes a new inner node; {@code hash[0..32)} is its hash. */
    int newInner(long version, int left, int right, byte[] hash) {
        int ref = freeInner.isEmpty() ? allocateInner() : freeInner.pop();
        if (CHECK_FREES) {
            innerFreeBits[ref >>> 6] &= ~(1L << ref);
        }
        long[] page = innerPages[ref >>> PAGE_SHIFT];
        int at = (ref & PAGE_MASK) * INNER_STRIDE;
        Words.read(hash, 0, page, at);
        page[at + INNER_VERSION] = version;
        page[at + INNER_CHILDREN] = ((long) left << 32) | (right & 0xFFFF_FFFFL);
        nodeCount++;
        return ref;
    }

    /** Writes a new leaf; path at {@code path[pathOffset..+32)}, its value hash and its own hash. */
    int newLeaf(long version, byte[] path, int pathOffset, byte[] valueHash, byte[] hash, Bytes value) {
        int index = freeLeaves.isEmpty() ? allocateLeaf() : freeLeaves.pop();
        if (CHECK_FREES) {
            leafFreeBits[index >>> 6] &= ~(1L << index);
        }
        long[] page = leafPages[index >>> PAGE_SHIFT];
        int at = (index & PAGE_MASK) * LEAF_STRIDE;
        Words.read(hash, 0, page, at);
        Words.read(path, pathOffset, page, at + LEAF_PATH);
        Words.read(valueHash, 0, page, at + LEAF_VALUE_HASH);
        page[at + LEAF_VERSION] = version;
        valuePages[index >>> PAGE_SHIFT][index & PAGE_MASK] = value;
        nodeCount++;
        return -index;
    }

    /**
     * Reads the cache lines of record {@code ref} (not 0) that an update along a path through it
     * uses: of an inner node its children (its own hash is not needed: a changed node gets a new
     * record, an unchanged one is kept by reference); of a leaf its hash, path and value hash. A
     * record does not start on a line boundary, so the first and last word read can sit on
     * different lines. Changes nothing; returns a value only so the reads cannot be dropped.
     */
    long touchRecord(int ref) {
        if (ref > 0) {
            return innerPages[ref >>> PAGE_SHIFT][(ref & PAGE_MASK) * INNER_STRIDE + INNER_CHILDREN];
        }
        long[] page = leafPages[-ref >>> PAGE_SHIFT];
        int at = (-ref & PAGE_MASK) * LEAF_STRIDE;
        return page[at] + page[at + LEAF_PATH + 2] + page[at + LEAF_VALUE_HASH + 3];
    }

    /** Reads the cache lines of the hash of node {@code ref} (not 0); see {@link #touchRecord}. */
    long touchHash(int ref) {
        if (ref > 0) {
            long[] page = innerPages[ref >>> PAGE_SHIFT];
            int at = (ref & PAGE_MASK) * INNER_STRIDE;
            return page[at] + page[at + 3];
        }
        long[] page = leafPages[-ref >>> PAGE_SHIFT];
        int at = (-ref & PAGE_MASK) * LEAF_STRIDE;
        return page[at] + page[at + 3];
    }

    /**
     * Reads the records the next {@code inner} inner and {@code leaves} leaf nodes created will reuse
     * (the tops of the free lists), so that writing them later finds their cache lines present.
     * Of a leaf this includes its value slot, which the new value is stored into: measured to pay
     * (ADR 0053), likely because that reference store's G1 write barrier has a store-load fence,
     * which waits for the store, a miss unless the slot was read ahead.
     * Changes nothing; returns a value only so the reads cannot be dropped.
     */
    long touchReusedRecords(int inner, int leaves) {
        long sum = 0;
        for (int i = freeInner.size() - 1, end = Math.max(0, freeInner.size() - inner); i >= end; i--) {
            int ref = freeInner.get(i);
            long[] page = innerPages[ref >>> PAGE_SHIFT];
            int at = (ref & PAGE_MASK) * INNER_STRIDE;
            sum += page[at] + page[at + INNER_CHILDREN];
        }
        for (int i = freeLeaves.size() - 1, end = Math.max(0, freeLeaves.size() - leaves); i >= end; i--) {
            int index = freeLeaves.get(i);
            long[] page = leafPages[index >>> PAGE_SHIFT];
            int at = (index & PAGE_MASK) * LEAF_STRIDE;
            sum += page[at] + page[at + 4] + page[at + 8] + page[at + LEAF_VERSION];
            if (valuePages[index >>> PAGE_SHIFT][index & PAGE_MASK] != null) {
                sum++;
            }
        }
        return sum;
    }

    /**
     * Frees a live record (pruning, or undoing a failed batch); false for the empty subtree. A record
     * is freed at most once: a version's stale nodes are unreachable from it and from every later
     * version, so no later version can make them stale again (checked with assertions on).
     */
    boolean free(int ref) {
        if (ref == 0) {
            return false;
        }
        if (keyIndex != null) {
            keyIndex.remove(key(ref));
        }
        if (ref > 0) {
            if (CHECK_FREES) {
                assert !checkedIsFree(ref) : "inner record " + ref + " freed twice";
                innerFreeBits[ref >>> 6] |= 1L << ref;
            }
            freeInner.push(ref);
        } else {
            int index = -ref;
            if (CHECK_FREES) {
                assert !checkedIsFree(ref) : "leaf record " + index + " freed twice";
                leafFreeBits[index >>> 6] |= 1L << index;
            }
            // The value stays referenced until the record is reused (which overwrites it): clearing
            // it here costs a cache miss per freed leaf, and what stays held is never more than the
            // values the store held at its largest (ADR 0052).
            freeLeaves.push(index);
        }
        nodeCount--;
        return true;
    }

    /** Whether record {@code ref} (not 0) is free, by the bitmaps kept when {@link #CHECK_FREES}. */
    private boolean checkedIsFree(int ref) {
        return ref > 0 ? (innerFreeBits[ref >>> 6] & (1L << ref)) != 0
                : (leafFreeBits[-ref >>> 6] & (1L << -ref)) != 0;
    }

    /** Adds nodes a batch created to the key index, if there is one. */
    void indexCreated(IntStack created) {
        if (keyIndex != null) {
            for (int i = 0; i < created.size(); i++) {
                keyIndex.put(key(created.get(i)), created.get(i));
            }
        }
    }

    /** The key of node {@code ref} ({@link NodeKey#EMPTY} for 0). */
    NodeKey key(int ref) {
        if (ref == 0) {
            return NodeKey.EMPTY;
        }
        return new NodeKey(version(ref), hashWord(ref, 0), hashWord(ref, 1), hashWord(ref, 2), hashWord(ref, 3));
    }

    /** A node object for {@code ref} (null for 0), for reads; inner nodes carry their reference. */
    SmtNode materialize(int ref) {
        if (ref == 0) {
            return null;
        }
        if (ref > 0) {
            return new InnerNode(key(ref), key(child(ref, 0)), key(child(ref, 1)), ref);
        }
        long[] page = leafPage(ref);
        int at = leafOffset(ref);
        return new LeafNode(key(ref), Words.write(page, at + LEAF_PATH), Words.write(page, at + LEAF_VALUE_HASH), value(ref));
    }

    // ---- internals ----

    private int allocateInner() {
        if (innerHigh == Integer.MAX_VALUE) {
            throw new IllegalStateException("in-memory node store is full");
        }
        int page = innerHigh >>> PAGE_SHIFT;
        if (page == innerPages.length) {
            innerPages = Arrays.copyOf(innerPages, page + 1);
            innerPages[page] = new long[PAGE_RECORDS * INNER_STRIDE];
            if (CHECK_FREES) {
                innerFreeBits = Arrays.copyOf(innerFreeBits, (page + 1) * (PAGE_RECORDS / 64));
            }
        }
        return innerHigh++;
    }

    private int allocateLeaf() {
        if (leafHigh == Integer.MAX_VALUE) {
            throw new IllegalStateException("in-memory node store is full");
        }
        int page = leafHigh >>> PAGE_SHIFT;
        if (page == leafPages.length) {
            leafPages = Arrays.copyOf(leafPages, page + 1);
            leafPages[page] = new long[PAGE_RECORDS * LEAF_STRIDE];
            valuePages = Arrays.copyOf(valuePages, page + 1);
            valuePages[page] = new Bytes[PAGE_RECORDS];
            if (CHECK_FREES) {
                leafFreeBits = Arrays.copyOf(leafFreeBits, (page + 1) * (PAGE_RECORDS / 64));
            }
        }
        return leafHigh++;
    }

    /** The key index, built from every live record (those not on a free list) on first use. */
    private HashMap<NodeKey, Integer> index() {
        if (keyIndex == null) {
            BitSet freeInnerRecords = new BitSet(innerHigh);
            for (int i = 0; i < freeInner.size(); i++) {
                freeInnerRecords.set(freeInner.get(i));
            }
            BitSet freeLeafRecords = new BitSet(leafHigh);
            for (int i = 0; i < freeLeaves.size(); i++) {
                freeLeafRecords.set(freeLeaves.get(i));
            }
            HashMap<NodeKey, Integer> index = new HashMap<>();
            for (int ref = 1; ref < innerHigh; ref++) {
                if (!freeInnerRecords.get(ref)) {
                    index.put(key(ref), ref);
                }
            }
            for (int leaf = 1; leaf < leafHigh; leaf++) {
                if (!freeLeafRecords.get(leaf)) {
                    index.put(key(-leaf), -leaf);
                }
            }
            keyIndex = index;
        }
        return keyIndex;
    }

    private static void requireKnown(NodeKey key, HashMap<NodeKey, SmtNode> fresh, HashMap<NodeKey, Integer> index) {
        if (!key.isEmpty() && !fresh.containsKey(key) && !index.containsKey(key)) {
            throw new IllegalArgumentException("node " + key + " is referenced but neither stored nor in this commit");
        }
    }

    private int writeInner(InnerNode inner, HashMap<NodeKey, SmtNode> fresh, HashMap<NodeKey, Integer> written,
                           HashMap<NodeKey, Integer> index) {
        Integer done = written.get(inner.key());
        if (done != null) {
            return done;
        }
        int left = childRef(inner.left(), fresh, written, index);
        int right = childRef(inner.right(), fresh, written, index);
        int ref = newInner(inner.key().version(), left, right, inner.key().hashBytes());
        written.put(inner.key(), ref);
        return ref;
    }

    private int childRef(NodeKey key, HashMap<NodeKey, SmtNode> fresh, HashMap<NodeKey, Integer> written,
                         HashMap<NodeKey, Integer> index) {
        if (key.isEmpty()) {
            return 0;
        }
        Integer ref = written.get(key);
        if (ref != null) {
            return ref;
        }
        if (fresh.get(key) instanceof InnerNode inner) {
            return writeInner(inner, fresh, written, index);
        }
        return index.get(key);
    }

    private static int refOf(NodeKey key, HashMap<NodeKey, Integer> written, HashMap<NodeKey, Integer> index) {
        if (key.isEmpty()) {
            return 0;
        }
        Integer ref = written.get(key);
        return ref != null ? ref : index.get(key);
    }

    private static byte[] leafHashBytes(LeafNode leaf) {
        return leaf.key().hashBytes();
    }

    /** A growable int array used as a stack (free lists, a batch's created and stale references, roots). */
    static final class IntStack {

        private int[] items;
        private int size;

        IntStack() {
            this(16);
        }

        IntStack(int capacity) {
            items = new int[Math.max(1, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        int capacity() {
            return items.length;
        }

        void clear() {
            size = 0;
        }

        int size() {
            return size;
        }

        int get(int i) {
            return items[i];
        }

        void push(int value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = value;
        }

        int pop() {
            return items[--size];
        }

        int[] toArray() {
            return Arrays.copyOf(items, size);
        }

        void removeFirst(int count) {
            System.arraycopy(items, count, items, 0, size - count);
            size -= count;
        }
    }
}
