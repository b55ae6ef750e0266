package org.meshchain.merkle;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * One batch applied to an {@link InMemoryNodeStore} arena: the same recursion as the tree's object
 * path (same nodes created, same nodes made stale, same hashes, same SHA-256 calls), over int
 * references instead of node objects (ADR 0050). Paths are held as four longs each; hashes go from
 * the arena's records into one reused 65-byte block, through the thread's reused SHA-256 instance,
 * into one reused output buffer and from there into the new record: nothing is allocated per node.
 */
final class ArenaUpdate {

    private final InMemoryNodeStore arena;
    private final long version;
    private final List<SmtUpdate> updates;
    /** Path {@code i} is {@code paths[4i..4i+4)}, big-endian words. */
    private final long[] paths;
    private final MessageDigest digest = Hashing.sha256Digest();
    private final byte[] block = new byte[SmtHasher.BLOCK_LENGTH];
    private final byte[] output = new byte[Hash32.LENGTH];
    private final byte[] valueHash = new byte[Hash32.LENGTH];
    private byte[] valueScratch = new byte[64];
    private long hashCalls;
    /** Keeps the prefetch reads observable. */
    long prefetchSink;
    /**
     * Subtrees with at most this many of the batch's paths are prefetched in one pass: 64 paths reach
     * ~64 x 14 records of a 1M-key tree, about 100 KB, which stays in a core's L2 cache.
     */
    static final int PREFETCH_PATHS = 64;
    /** About how many inner nodes an update of a 1M-key tree creates (below the shared top levels). */
    static final int REUSED_INNER_PER_PATH = 12;
    /**
     * Leaves an update creates: one for a put (0.9 in the bench's mix), none for a delete; reading two
     * per path, as before, read ~1.1 records per update that no write used (ADR 0052).
     */
    static final int REUSED_LEAVES_PER_PATH = 1;
    /** The prefetch's current and next level: (record, path slice) per entry, reused across subtrees. */
    private final int[] frontierRefs = new int[PREFETCH_PATHS];
    private final int[] frontierBounds = new int[2 * PREFETCH_PATHS];
    private final int[] nextFrontierRefs = new int[PREFETCH_PATHS];
    private final int[] nextFrontierBounds = new int[2 * PREFETCH_PATHS];
    /** What one level of the prefetch reads: the records on the batch's paths, and their siblings' hashes. */
    private final int[] touchRecords = new int[2 * PREFETCH_PATHS];
    private final int[] touchHashes = new int[2 * PREFETCH_PATHS];
    final InMemoryNodeStore.IntStack created;
    final InMemoryNodeStore.IntStack stale;

    /**
     * A batch over {@code paths} ({@link Scratch#paths} of {@code updates}) that records the nodes it
     * creates and makes stale in {@code scratch}'s stacks, which it clears first.
     */
    ArenaUpdate(InMemoryNodeStore arena, long version, List<SmtUpdate> updates, long[] paths, Scratch scratch) {
        this.arena = arena;
        this.version = version;
        this.updates = updates;
        this.paths = paths;
        // sized for what a batch on a 1M-key tree makes (~13 nodes per update), so they rarely grow
        int expected = (int) Math.min(1 << 20, 16L * updates.size());
        this.created = scratch.created(expected);
        this.stale = scratch.stale(expected);
    }

    /**
     * The arrays a batch works in (its paths as words, the references it creates and makes stale),
     * kept by the tree from one batch to the next instead of ~200 KB allocated per 1,000-update
     * batch (ADR 0053). Arrays of more than {@link #KEPT_LENGTH} entries (e.g. those of a 1M-key
     * build) are not kept. Belongs to one tree, which has one writer.
     */
    static final class Scratch {

        static final int KEPT_LENGTH = 1 << 18;
        private long[] paths = new long[0];
        private InMemoryNodeStore.IntStack created;
        private InMemoryNodeStore.IntStack stale;

        /** {@code updates}' paths as words (see {@link ArenaUpdate#fillPathWords}), in a reused array if it fits. */
        long[] paths(List<SmtUpdate> updates) {
            int length = 4 * updates.size();
            long[] words = paths.length >= length ? paths : new long[length];
            fillPathWords(updates, words);
            if (words.length <= KEPT_LENGTH) {
                paths = words;
            }
            return words;
        }

        InMemoryNodeStore.IntStack created(int expected) {
            created = reuse(created, expected);
            return created;
        }

        InMemoryNodeStore.IntStack stale(int expected) {
            stale = reuse(stale, expected);
            return stale;
        }

        private static InMemoryNodeStore.IntStack reuse(InMemoryNodeStore.IntStack stack, int expected) {
            if (stack == null || stack.capacity() > KEPT_LENGTH) {
                return new InMemoryNodeStore.IntStack(expected);
            }
            stack.clear();
            return stack;
        }
    }

    long hashCalls() {
        return hashCalls;
    }

    /**
     * The batch's paths as words into {@code words[0..4 * updates.size())} (path {@code i} at
     * {@code 4i}, big-endian), checked to be strictly increasing.
     */
    private static void fillPathWords(List<SmtUpdate> updates, long[] words) {
        byte[] scratch = new byte[Hash32.LENGTH];
        for (int i = 0; i < updates.size(); i++) {
            updates.get(i).path().copyTo(scratch, 0);
            Words.read(scratch, 0, words, 4 * i);
            if (i > 0 && compare(words, 4 * (i - 1), words, 4 * i) >= 0) {
                throw new IllegalArgumentException("batch not sorted by strictly increasing path at index " + i);
            }
        }
    }

    /** Unsigned lexicographic order of two 4-word paths. */
    private static int compare(long[] a, int at, long[] b, int bt) {
        for (int i = 0; i < 4; i++) {
            if (a[at + i] != b[bt + i]) {
                return Long.compareUnsigned(a[at + i], b[bt + i]);
            }
        }
        return 0;
    }

    private static int bit(long[] words, int at, int depth) {
        return (int) (words[at + (depth >>> 6)] >>> (63 - (depth & 63))) & 1;
    }

    /** Index of the first path of the sorted slice {@code [from, to)} with bit {@code depth} set. */
    private int split(int depth, int from, int to) {
        int word = depth >>> 6;
        int shift = 63 - (depth & 63);
        int low = from;
        int high = to;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (((paths[4 * mid + word] >>> shift) & 1) == 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Reads, level by level, every record the recursion will read below inner node {@code root} for
     * the batch's {@code [rootFrom, rootTo)}: the touched inner nodes,
     * their untouched siblings (whose hashes the new parents need) and the leaves at the bottom. A
     * depth-first walk waits for one cache miss after another down each path; here the misses of
     * one level are independent loads the processor overlaps, so the recursion then finds the
     * records in cache. Changes nothing; returns a value only so the reads cannot be dropped.
     */
    private long prefetch(int root, int rootDepth, int rootFrom, int rootTo) {
        // A level has at most one entry per path (their path slices are disjoint and not empty).
        int[] refs = frontierRefs;
        int[] bounds = frontierBounds;
        int[] nextRefs = nextFrontierRefs;
        int[] nextBounds = nextFrontierBounds;
        int[] wholeRecords = touchRecords;
        int[] hashes = touchHashes;
        refs[0] = root;
        bounds[0] = rootFrom;
        bounds[1] = rootTo;
        long touched = arena.touchRecord(root);
        int size = 1;
        for (int depth = rootDepth; size > 0; depth++) {
            // First the next level's shape, from records already in cache; then its records, read in
            // loops of nothing but independent loads, so that the processor has many misses in flight
            // (one loop with the splitting in it kept only a few).
            int next = 0;
            int records = 0;
            int hashCount = 0;
            for (int i = 0; i < size; i++) {
                int ref = refs[i];
                int from = bounds[2 * i];
                int to = bounds[2 * i + 1];
                if (to - from == 1) {
                    // One path (most of the levels): its bit picks the child without a branch, and
                    // the entries are appended unconditionally and counted only when they are
                    // records, so no branch depends on the path's random bits (ADR 0053).
                    long children = arena.children(ref);
                    int bit = bit(paths, 4 * from, depth);
                    int onPath = InMemoryNodeStore.childOf(children, bit);
                    int sibling = InMemoryNodeStore.childOf(children, bit ^ 1);
                    hashes[hashCount] = sibling;
                    hashCount += nonZero(sibling);
                    wholeRecords[records] = onPath;
                    records += nonZero(onPath);
                    nextRefs[next] = onPath;
                    nextBounds[2 * next] = from;
                    nextBounds[2 * next + 1] = to;
                    next += positive(onPath);
                    continue;
                }
                int split = split(depth, from, to);
                // a child on a path is read whole (a leaf is compared, an inner node walked); of its
                // sibling only the hash, which the new parent hashes in
                for (int bit = 0; bit < 2; bit++) {
                    int child = arena.child(ref, bit);
                    int childFrom = bit == 0 ? from : split;
                    int childTo = bit == 0 ? split : to;
                    if (child == 0) {
                        continue;
                    }
                    if (childFrom == childTo) {
                        hashes[hashCount++] = child;
                        continue;
                    }
                    wholeRecords[records++] = child;
                    if (InMemoryNodeStore.isInner(child)) {
                        nextRefs[next] = child;
                        nextBounds[2 * next] = childFrom;
                        nextBounds[2 * next + 1] = childTo;
                        next++;
                    }
                }
            }
            for (int i = 0; i < records; i++) {
                touched += arena.touchRecord(wholeRecords[i]);
            }
            for (int i = 0; i < hashCount; i++) {
                touched += arena.touchHash(hashes[i]);
            }
            int[] swapRefs = refs;
            int[] swapBounds = bounds;
            refs = nextRefs;
            bounds = nextBounds;
            nextRefs = swapRefs;
            nextBounds = swapBounds;
            size = next;
        }
        return touched;
    }

    /** 1 if {@code x != 0}, else 0, without a branch. */
    private static int nonZero(int x) {
        return (x | -x) >>> 31;
    }

    /** 1 if {@code x > 0} (an inner node's reference), else 0, without a branch. */
    private static int positive(int x) {
        return -x >>> 31;
    }

    /** The new root: the batch applied to the tree rooted at {@code root}. */
    int apply(int root) {
        return update(root, 0, 0, updates.size(), false);
    }

    /**
     * The subtree {@code ref} at {@code depth} with the batch's {@code [from, to)} applied. The first
     * subtree on the way down with at most {@link #PREFETCH_PATHS} paths of the batch is prefetched
     * as a whole, so that what is prefetched is still in cache when the recursion gets there.
     */
    private int update(int ref, int depth, int from, int to, boolean prefetched) {
        if (from == to) {
            return ref;
        }
        if (!InMemoryNodeStore.isInner(ref)) {
            return build(depth, from, to, ref);
        }
        if (!prefetched && to - from <= PREFETCH_PATHS) {
            prefetchSink += arena.touchReusedRecords(REUSED_INNER_PER_PATH * (to - from), REUSED_LEAVES_PER_PATH * (to - from));
            prefetchSink += prefetch(ref, depth, from, to);
            prefetched = true;
        }
        if (to - from == 1) {
            return updateOne(ref, depth, from);
        }
        int split = split(depth, from, to);
        int oldLeft = arena.child(ref, 0);
        int oldRight = arena.child(ref, 1);
        int left = split > from ? update(oldLeft, depth + 1, from, split, prefetched) : oldLeft;
        int right = to > split ? update(oldRight, depth + 1, split, to, prefetched) : oldRight;
        if (left == oldLeft && right == oldRight) {
            return ref;
        }
        return replaced(ref, left, right);
    }

    /**
     * Inner node {@code ref}, whose children changed to {@code left} and {@code right}: made stale,
     * and replaced by a new inner node, or collapsed when the subtree is left with at most one leaf
     * (into that leaf, or the empty subtree).
     */
    private int replaced(int ref, int left, int right) {
        stale.push(ref);
        if (left == 0 && !InMemoryNodeStore.isInner(right)) {
            return right;
        }
        if (right == 0 && !InMemoryNodeStore.isInner(left)) {
            return left;
        }
        return newInner(left, right);
    }

    /**
     * {@link #update} of inner node {@code ref} for the one path {@code index} of the batch (most of
     * an update's levels): the same nodes and hashes, with the child on the path and its sibling
     * picked by shifts instead of branches on the path's bit (ADR 0053).
     */
    private int updateOne(int ref, int depth, int index) {
        long children = arena.children(ref);
        int bit = bit(paths, 4 * index, depth);
        int oldChild = InMemoryNodeStore.childOf(children, bit);
        int sibling = InMemoryNodeStore.childOf(children, bit ^ 1);
        int newChild = InMemoryNodeStore.isInner(oldChild) ? updateOne(oldChild, depth + 1, index)
                : build(depth + 1, index, index + 1, oldChild);
        if (newChild == oldChild) {
            return ref;
        }
        int siblingIsLeft = -bit;
        int left = (newChild & ~siblingIsLeft) | (sibling & siblingIsLeft);
        int right = (sibling & ~siblingIsLeft) | (newChild & siblingIsLeft);
        return replaced(ref, left, right);
    }

    /**
     * The canonical subtree at {@code depth} holding the puts of {@code [from, to)} and the leaf
     * {@code existing} already there (0 if none) unless the batch overwrites or deletes it.
     */
    private int build(int depth, int from, int to, int existing) {
        int puts = 0;
        int lastPut = -1;
        for (int i = from; i < to; i++) {
            if (!updates.get(i).isDelete()) {
                puts++;
                lastPut = i;
            }
        }
        long[] existingPage = existing == 0 ? null : arena.leafPage(existing);
        int existingPath = existing == 0 ? 0 : InMemoryNodeStore.leafOffset(existing) + 4;
        int existingIndex = existing == 0 ? -1 : indexOf(existingPage, existingPath, from, to);
        boolean existingSurvives = existing != 0 && existingIndex < 0;
        int leaves = puts + (existingSurvives ? 1 : 0);
        if (leaves == 0) {
            if (existing != 0) {
                stale.push(existing);
            }
            return 0;
        }
        if (leaves == 1) {
            if (existingSurvives) {
                return existing;
            }
            if (existing != 0) {
                // An overwrite: the new value's hash is needed anyway unless the value is unchanged,
                // and comparing it with the record's value hash spares reading the old value object
                // (three dependent cache misses); an unchanged put costs one hash more than on the
                // object path and still changes nothing (ADR 0050).
                if (existingIndex == lastPut) {
                    hashValue(lastPut);
                    if (sameValueHash(existingPage, existingPath + 4)) {
                        return existing;
                    }
                    stale.push(existing);
                    return newLeafWithValueHash(lastPut);
                }
                stale.push(existing);
            }
            return newLeaf(lastPut);
        }
        int split = split(depth, from, to);
        int existingLeft = 0;
        int existingRight = 0;
        if (existing != 0) {
            if (bit(existingPage, existingPath, depth) == 0) {
                existingLeft = existing;
            } else {
                existingRight = existing;
            }
        }
        int left = build(depth + 1, from, split, existingLeft);
        int right = build(depth + 1, split, to, existingRight);
        return newInner(left, right);
    }

    private int indexOf(long[] words, int at, int from, int to) {
        int low = from;
        int high = to - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = compare(paths, 4 * mid, words, at);
            if (cmp < 0) {
                low = mid + 1;
            } else if (cmp > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private int newLeaf(int index) {
        hashValue(index);
        return newLeafWithValueHash(index);
    }

    /** {@code SHA-256(value)} of update {@code index} into {@link #valueHash}. */
    private void hashValue(int index) {
        Bytes value = updates.get(index).value();
        int length = value.length();
        if (valueScratch.length < length) {
            valueScratch = new byte[Math.max(length, valueScratch.length * 2)];
        }
        value.copyTo(valueScratch, 0);
        digest.update(valueScratch, 0, length);
        finishInto(valueHash);
    }

    private boolean sameValueHash(long[] words, int at) {
        for (int i = 0; i < 4; i++) {
            if (words[at + i] != Words.get(valueHash, 8 * i)) {
                return false;
            }
        }
        return true;
    }

    /** A new leaf for update {@code index}, whose value hash is in {@link #valueHash}. */
    private int newLeafWithValueHash(int index) {
        Bytes value = updates.get(index).value();
        block[0] = SmtHasher.LEAF_PREFIX;
        for (int i = 0; i < 4; i++) {
            Words.putLong(block, 1 + 8 * i, paths[4 * index + i]);
        }
        System.arraycopy(valueHash, 0, block, 1 + Hash32.LENGTH, Hash32.LENGTH);
        digest.update(block, 0, SmtHasher.BLOCK_LENGTH);
        finishInto(output);
        int ref = arena.newLeaf(version, block, 1, valueHash, output, value);
        created.push(ref);
        return ref;
    }

    private int newInner(int left, int right) {
        block[0] = SmtHasher.INNER_PREFIX;
        copyHash(left, 1);
        copyHash(right, 1 + Hash32.LENGTH);
        digest.update(block, 0, SmtHasher.BLOCK_LENGTH);
        finishInto(output);
        int ref = arena.newInner(version, left, right, output);
        created.push(ref);
        return ref;
    }

    /** The hash of {@code ref} (32 zero bytes for the empty subtree) into the block at {@code offset}. */
    private void copyHash(int ref, int offset) {
        if (ref == 0) {
            Arrays.fill(block, offset, offset + Hash32.LENGTH, (byte) 0);
        } else {
            arena.copyHashInto(ref, block, offset);
        }
    }

    private void finishInto(byte[] out) {
        hashCalls++;
        try {
            digest.digest(out, 0, Hash32.LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 output fits its 32-byte buffer", e);
        }
    }
}
