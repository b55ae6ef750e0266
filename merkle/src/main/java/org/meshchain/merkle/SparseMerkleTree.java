package org.meshchain.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/**
 * A versioned SHA-256 sparse Merkle tree over 256-bit paths, hashed as the ICS-23 {@code SmtSpec}
 * (celestiaorg/smt): leaf = SHA-256(0x00 || path || SHA-256(value)), inner = SHA-256(0x01 || left
 * || right), empty subtree = 32 zero bytes, and a subtree holding one leaf is that leaf. The shape
 * is a function of the key set alone, so the root does not depend on insertion order and deleting
 * a key restores the root the tree had without it.
 *
 * <p>Version 0 is the empty tree; {@link #apply} turns the latest version {@code v} into {@code v+1}
 * touching only the paths of the batch (O(k log n) nodes). Any retained version can be read and
 * proved. Not thread-safe: one writer, no concurrent use.
 */
public final class SparseMerkleTree {

    public static final int DEPTH = 256;

    private static final java.lang.invoke.VarHandle PATH_PREFIX =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final NodeStore store;
    private final boolean memoiseChildren;
    /** The store itself when it is the in-memory arena: batches and reads then use its references (ADR 0050). */
    private final InMemoryNodeStore arena;
    private long hashCalls;
    /** What an arena batch works in, reused by the next batch (ADR 0053); this tree has one writer. */
    private final ArenaUpdate.Scratch arenaScratch = new ArenaUpdate.Scratch();
    /** Keeps the arena prefetch's reads observable (ArenaUpdate#prefetch). */
    private long prefetchSink;

    public SparseMerkleTree(NodeStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.memoiseChildren = store.memoisesChildren();
        this.arena = store instanceof InMemoryNodeStore inMemory ? inMemory : null;
        if (store.latestVersion() < 0) {
            store.commit(VersionCommit.genesis());
        }
    }

    public long latestVersion() {
        return store.latestVersion();
    }

    public long oldestRetainedVersion() {
        return store.oldestRetainedVersion();
    }

    /** SHA-256 calls made by this tree so far (updates and proofs); a cheap counter, always on. */
    public long hashCalls() {
        return hashCalls;
    }

    public Hash32 rootHash(long version) {
        return rootKey(version).hash();
    }

    /**
     * Applies {@code updates}, sorted by strictly increasing path, to {@code baseVersion}, which must
     * be the latest version, and commits the result as {@code baseVersion + 1}. Deleting an absent
     * path and putting an unchanged value are no-ops.
     */
    public CommitResult apply(long baseVersion, List<SmtUpdate> updates) {
        return apply(baseVersion, updates, null, 0);
    }

    /**
     * As {@link #apply(long, List)}, with the subtrees below depth {@code forkDepth} (up to
     * 2^forkDepth of them) rebuilt in parallel on {@code pool}. The result is the same tree, the same
     * nodes and the same root; only the wall time differs. The store must allow concurrent reads
     * ({@link NodeStore} implementations need not: use this only with one that does, e.g. a
     * read-only or in-memory store). Added for the block executor's state root (ADR 0022). On the
     * in-memory store the batch runs sequentially: its arena has one writer (ADR 0050).
     */
    public CommitResult applyInParallel(long baseVersion, List<SmtUpdate> updates, ForkJoinPool pool, int forkDepth) {
        Objects.requireNonNull(pool, "pool");
        if (forkDepth < 0 || forkDepth > 16) {
            throw new IllegalArgumentException("fork depth must be in 0..16, got " + forkDepth);
        }
        return apply(baseVersion, updates, pool, forkDepth);
    }

    private CommitResult apply(long baseVersion, List<SmtUpdate> updates, ForkJoinPool pool, int forkDepth) {
        long latest = store.latestVersion();
        if (baseVersion != latest) {
            throw new IllegalArgumentException("batches apply to the latest version " + latest + ", not " + baseVersion);
        }
        if (arena != null) {
            return applyToArena(baseVersion, updates);
        }
        byte[][] paths = new byte[updates.size()][];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = updates.get(i).path().toByteArray();
            if (i > 0 && Arrays.compareUnsigned(paths[i - 1], paths[i]) >= 0) {
                throw new IllegalArgumentException("batch not sorted by strictly increasing path at index " + i);
            }
        }
        NodeKey baseRoot = rootKey(baseVersion);
        SmtNode baseNode = load(baseRoot);
        // the batch (and its hasher, which uses its thread's SHA-256 instance) is made on the thread that runs it
        BatchUpdate batch;
        if (pool == null) {
            batch = new BatchUpdate(baseVersion + 1, updates, paths, null, 0);
            batch.root = batch.update(baseNode, 0, 0, paths.length);
        } else {
            batch = pool.invoke(ForkJoinTask.adapt(() -> {
                BatchUpdate b = new BatchUpdate(baseVersion + 1, updates, paths, pool, forkDepth);
                b.root = b.update(baseNode, 0, 0, paths.length);
                return b;
            }));
        }
        NodeKey newRootKey = keyOf(batch.root);
        hashCalls += batch.hashCalls();
        store.commit(new VersionCommit(baseVersion + 1, newRootKey, batch.created, batch.stale));
        return new CommitResult(baseVersion + 1, newRootKey.hash(), batch.created.size(), batch.stale.size());
    }

    /**
     * The batch on the arena: nodes are written as the recursion creates them, then the version is
     * published; if anything fails before that, the records written are freed again, so the store is
     * left as it was.
     */
    private CommitResult applyToArena(long baseVersion, List<SmtUpdate> updates) {
        long[] paths = arenaScratch.paths(updates);
        long version = baseVersion + 1;
        arena.checkNextVersion(version);
        ArenaUpdate batch = new ArenaUpdate(arena, version, updates, paths, arenaScratch);
        int root;
        try {
            root = batch.apply(arena.rootRef(baseVersion));
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < batch.created.size(); i++) {
                arena.free(batch.created.get(i));
            }
            throw e;
        }
        prefetchSink += batch.prefetchSink;
        arena.indexCreated(batch.created);
        arena.publish(version, root, batch.stale.toArray());
        hashCalls += batch.hashCalls();
        return new CommitResult(version, arena.key(root).hash(), batch.created.size(), batch.stale.size());
    }

    /** The value at {@code path} in {@code version}, if any. */
    public Optional<Bytes> get(long version, Hash32 path) {
        byte[] target = path.toByteArray();
        SmtNode node = rootNode(version);
        for (int depth = 0; node instanceof InnerNode inner; depth++) {
            node = child(inner, SmtHasher.bit(target, depth));
        }
        if (node instanceof LeafNode leaf && Arrays.equals(leaf.pathBytes(), target)) {
            return Optional.of(leaf.value());
        }
        return Optional.empty();
    }

    /**
     * A proof for {@code path} in {@code version}: of membership if the path holds a value, of
     * non-membership otherwise. Check it with {@link SmtProof#verifyMembership} or
     * {@link SmtProof#verifyNonMembership}.
     */
    public SmtProof prove(long version, Hash32 path) {
        byte[] target = path.toByteArray();
        List<Hash32> siblings = new ArrayList<>();
        SmtNode node = rootNode(version);
        for (int depth = 0; node instanceof InnerNode inner; depth++) {
            int bit = SmtHasher.bit(target, depth);
            siblings.add(inner.child(1 - bit).hash());
            node = child(inner, bit);
        }
        if (node instanceof LeafNode leaf && !Arrays.equals(leaf.pathBytes(), target)) {
            return new SmtProof(siblings, new SmtProof.LeafData(leaf.path(), leaf.valueHash()));
        }
        return new SmtProof(siblings, null);
    }

    /**
     * All entries with {@code start <= path <= end} in {@code version}, in path order, and the proof
     * that they are all of them ({@link SmtRangeProof#verify}).
     */
    public SmtRange range(long version, Hash32 start, Hash32 end) {
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("range start " + start + " after end " + end);
        }
        RangeWalk walk = new RangeWalk(start.toByteArray(), end.toByteArray(), true);
        walk.visit(rootNode(version), 0, RangeBounds.emptyPrefix());
        return new SmtRange(walk.entries, new SmtRangeProof(walk.steps));
    }

    /**
     * The range proof for {@code [start, end]} in {@code version} without its entries: the same proof
     * as {@link #range}'s, built from the nodes on the two boundary paths only (O(log n) nodes), for
     * callers that read the entries from elsewhere (a snapshot export streams them from the flat
     * state in key order).
     */
    public SmtRangeProof rangeProof(long version, Hash32 start, Hash32 end) {
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("range start " + start + " after end " + end);
        }
        RangeWalk walk = new RangeWalk(start.toByteArray(), end.toByteArray(), false);
        walk.visit(rootNode(version), 0, RangeBounds.emptyPrefix());
        return new SmtRangeProof(walk.steps);
    }

    /** Drops versions below {@code oldestRetained} and frees their nodes that later versions do not use. */
    public long prune(long oldestRetained) {
        return store.prune(oldestRetained);
    }

    private NodeKey rootKey(long version) {
        NodeKey root = store.root(version);
        if (root == null) {
            throw new IllegalArgumentException("version " + version + " is not retained (retained: "
                    + store.oldestRetainedVersion() + ".." + store.latestVersion() + ")");
        }
        return root;
    }

    /** The root node of a retained {@code version} (null if empty), for reads. */
    private SmtNode rootNode(long version) {
        NodeKey key = rootKey(version);
        return arena != null ? arena.materialize(arena.rootRef(version)) : load(key);
    }

    /** The node under {@code key}, or {@code null} for the empty subtree. */
    private SmtNode load(NodeKey key) {
        if (key.isEmpty()) {
            return null;
        }
        SmtNode node = store.node(key);
        if (node == null) {
            throw new IllegalStateException("node " + key + " missing from the store: it is corrupt or was pruned under a retained version");
        }
        return node;
    }

    /** Child {@code bit} of {@code inner} (null if empty), from the node's memo or else the store. */
    private SmtNode child(InnerNode inner, int bit) {
        if (arena != null && inner.arenaRef != 0) {
            return arena.materialize(arena.child(inner.arenaRef, bit));
        }
        SmtNode cached = inner.cachedChild(bit);
        if (cached != null) {
            return cached;
        }
        SmtNode loaded = load(inner.child(bit));
        if (memoiseChildren) {
            inner.cacheChild(bit, loaded);
        }
        return loaded;
    }

    private static NodeKey keyOf(SmtNode nodeOrNull) {
        return nodeOrNull == null ? NodeKey.EMPTY : nodeOrNull.key();
    }

    /**
     * One batch. Recursion over (subtree, slice of the sorted batch whose paths fall in it); a
     * {@code null} subtree is empty. Unchanged subtrees are returned as they are, so only the
     * batch's paths are rebuilt, and an unchanged leaf keeps its key when it moves up or down.
     */
    private final class BatchUpdate {

        final SmtHasher hasher = new SmtHasher();
        final long version;
        final List<SmtUpdate> updates;
        final byte[][] paths;
        final List<SmtNode> created = new ArrayList<>();
        final List<NodeKey> stale = new ArrayList<>();
        /** Null: sequential. Else subtrees above {@link #forkDepth} are rebuilt as separate tasks. */
        final ForkJoinPool pool;
        final int forkDepth;
        /** Hash calls of forked parts, added when they are joined. */
        long forkedHashCalls;
        /** The new root, once the batch ran. */
        SmtNode root;

        /** The first 64 bits of each path: the splits of the top 64 levels search a primitive array. */
        final long[] prefixes;

        BatchUpdate(long version, List<SmtUpdate> updates, byte[][] paths, ForkJoinPool pool, int forkDepth) {
            this(version, updates, paths, pathPrefixes(paths), pool, forkDepth);
        }

        private BatchUpdate(long version, List<SmtUpdate> updates, byte[][] paths, long[] prefixes, ForkJoinPool pool,
                            int forkDepth) {
            this.version = version;
            this.updates = updates;
            this.paths = paths;
            this.prefixes = prefixes;
            this.pool = pool;
            this.forkDepth = forkDepth;
        }

        private static long[] pathPrefixes(byte[][] paths) {
            long[] prefixes = new long[paths.length];
            for (int i = 0; i < paths.length; i++) {
                prefixes[i] = (long) PATH_PREFIX.get(paths[i], 0);
            }
            return prefixes;
        }

        /** Index of the first path of the sorted slice {@code [from, to)} with bit {@code depth} set. */
        int split(int depth, int from, int to) {
            if (depth >= 64) {
                return SmtHasher.firstWithBitSet(paths, depth, from, to);
            }
            int shift = 63 - depth;
            int low = from;
            int high = to;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (((prefixes[mid] >>> shift) & 1) == 0) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }

        long hashCalls() {
            return hasher.calls() + forkedHashCalls;
        }

        private boolean forks(int depth, int from, int split, int to) {
            return pool != null && depth < forkDepth && split > from && to > split;
        }

        /** A part of this batch with its own hasher and node lists, merged back in order by {@link #join}. */
        private BatchUpdate part() {
            return new BatchUpdate(version, updates, paths, prefixes, pool, forkDepth);
        }

        private void join(BatchUpdate part) {
            created.addAll(part.created);
            stale.addAll(part.stale);
            forkedHashCalls += part.hashCalls();
        }

        /**
         * Runs {@code left} as a forked task and {@code right} here, each in its own part, then merges
         * both parts, left first (the order sequential execution creates nodes in). A part is created
         * on the thread that runs it: its hasher uses that thread's SHA-256 instance.
         */
        private SmtNode[] inParallel(java.util.function.Function<BatchUpdate, SmtNode> left,
                                     java.util.function.Function<BatchUpdate, SmtNode> right) {
            BatchUpdate[] leftPart = new BatchUpdate[1];
            ForkJoinTask<SmtNode> leftTask = ForkJoinTask.adapt(() -> {
                leftPart[0] = part();
                return left.apply(leftPart[0]);
            }).fork();
            BatchUpdate rightPart = part();
            SmtNode rightNode = right.apply(rightPart);
            SmtNode leftNode = leftTask.join();
            join(leftPart[0]);
            join(rightPart);
            return new SmtNode[] {leftNode, rightNode};
        }

        SmtNode update(SmtNode node, int depth, int from, int to) {
            if (from == to) {
                return node;
            }
            if (!(node instanceof InnerNode inner)) {
                return build(depth, from, to, (LeafNode) node);
            }
            int split = split(depth, from, to);
            boolean leftTouched = split > from;
            boolean rightTouched = to > split;
            SmtNode newLeft;
            SmtNode newRight;
            if (forks(depth, from, split, to)) {
                SmtNode oldLeft = child(inner, 0);
                SmtNode oldRight = child(inner, 1);
                SmtNode[] both = inParallel(p -> p.update(oldLeft, depth + 1, from, split),
                        p -> p.update(oldRight, depth + 1, split, to));
                newLeft = both[0];
                newRight = both[1];
            } else {
                newLeft = leftTouched ? update(child(inner, 0), depth + 1, from, split) : null;
                newRight = rightTouched ? update(child(inner, 1), depth + 1, split, to) : null;
            }
            NodeKey leftKey = leftTouched ? keyOf(newLeft) : inner.left();
            NodeKey rightKey = rightTouched ? keyOf(newRight) : inner.right();
            if (leftKey.equals(inner.left()) && rightKey.equals(inner.right())) {
                return inner;
            }
            stale.add(inner.key());
            SmtNode left = leftTouched ? newLeft : child(inner, 0);
            SmtNode right = rightTouched ? newRight : child(inner, 1);
            // A subtree left with at most one leaf collapses into that leaf (or the empty subtree).
            if (left == null && !(right instanceof InnerNode)) {
                return right;
            }
            if (right == null && !(left instanceof InnerNode)) {
                return left;
            }
            return newInner(left, right);
        }

        /**
         * Builds the canonical subtree at {@code depth} holding the puts of {@code [from, to)} and
         * {@code existing} (a leaf already in this subtree, or null) unless the batch overwrites or
         * deletes it.
         */
        SmtNode build(int depth, int from, int to, LeafNode existing) {
            int puts = 0;
            int lastPut = -1;
            for (int i = from; i < to; i++) {
                if (!updates.get(i).isDelete()) {
                    puts++;
                    lastPut = i;
                }
            }
            int existingIndex = existing == null ? -1 : indexOf(existing.pathBytes(), from, to);
            boolean existingSurvives = existing != null && existingIndex < 0;
            int leaves = puts + (existingSurvives ? 1 : 0);
            if (leaves == 0) {
                if (existing != null) {
                    stale.add(existing.key());
                }
                return null;
            }
            if (leaves == 1) {
                if (existingSurvives) {
                    return existing;
                }
                if (existing != null) {
                    if (existingIndex == lastPut && sameValue(existing, updates.get(lastPut).value())) {
                        return existing;
                    }
                    stale.add(existing.key());
                }
                return newLeaf(lastPut);
            }
            int split = split(depth, from, to);
            LeafNode existingLeft = null;
            LeafNode existingRight = null;
            if (existing != null) {
                if (SmtHasher.bit(existing.pathBytes(), depth) == 0) {
                    existingLeft = existing;
                } else {
                    existingRight = existing;
                }
            }
            if (forks(depth, from, split, to)) {
                LeafNode left = existingLeft;
                LeafNode right = existingRight;
                SmtNode[] both = inParallel(p -> p.build(depth + 1, from, split, left), p -> p.build(depth + 1, split, to, right));
                return newInner(both[0], both[1]);
            }
            return newInner(build(depth + 1, from, split, existingLeft), build(depth + 1, split, to, existingRight));
        }

        private boolean sameValue(LeafNode existing, Bytes value) {
            // Values are compared directly: cheaper than hashing the new one.
            return existing.value().equals(value);
        }

        private int indexOf(byte[] path, int from, int to) {
            int low = from;
            int high = to - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                int cmp = Arrays.compareUnsigned(paths[mid], path);
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

        private LeafNode newLeaf(int index) {
            Bytes value = updates.get(index).value();
            byte[] valueHash = hasher.value(value);
            LeafNode leaf = new LeafNode(hasher.leafKey(version, paths[index], valueHash), paths[index], valueHash, value);
            created.add(leaf);
            return leaf;
        }

        private InnerNode newInner(SmtNode left, SmtNode right) {
            NodeKey leftKey = keyOf(left);
            NodeKey rightKey = keyOf(right);
            InnerNode inner = new InnerNode(hasher.innerKey(version, leftKey, rightKey), leftKey, rightKey);
            if (memoiseChildren) {
                inner.cacheChild(0, left);
                inner.cacheChild(1, right);
            }
            created.add(inner);
            return inner;
        }
    }

    /**
     * Collects the entries of a range and the proof steps, in the pre-order that
     * {@link SmtRangeProof#verify} consumes them: subtrees inside the range contribute their
     * entries only, subtrees outside it their hash only, and subtrees straddling a bound their shape.
     */
    private final class RangeWalk {

        final byte[] start;
        final byte[] end;
        final List<SmtEntry> entries = new ArrayList<>();
        final List<SmtRangeProof.Step> steps = new ArrayList<>();
        /** False: proof steps only; subtrees inside the range are not walked. */
        final boolean collectEntries;

        RangeWalk(byte[] start, byte[] end, boolean collectEntries) {
            this.start = start;
            this.end = end;
            this.collectEntries = collectEntries;
        }

        void visit(SmtNode node, int depth, byte[] prefix) {
            switch (RangeBounds.classify(prefix, depth, start, end)) {
                case INSIDE -> {
                    if (collectEntries) {
                        collect(node);
                    }
                }
                case OUTSIDE -> steps.add(new SmtRangeProof.Step.Subtree(keyOf(node).hash()));
                case STRADDLING -> {
                    switch (node) {
                        case null -> steps.add(new SmtRangeProof.Step.Empty());
                        case LeafNode leaf when RangeBounds.contains(leaf.pathBytes(), start, end) -> {
                            steps.add(new SmtRangeProof.Step.RangeLeaf());
                            if (collectEntries) {
                                entries.add(new SmtEntry(leaf.path(), leaf.value()));
                            }
                        }
                        case LeafNode leaf -> steps.add(new SmtRangeProof.Step.OtherLeaf(leaf.path(), leaf.valueHash()));
                        case InnerNode inner -> {
                            steps.add(new SmtRangeProof.Step.Inner());
                            visit(child(inner, 0), depth + 1, RangeBounds.child(prefix, depth, 0));
                            visit(child(inner, 1), depth + 1, RangeBounds.child(prefix, depth, 1));
                        }
                    }
                }
            }
        }

        private void collect(SmtNode node) {
            switch (node) {
                case null -> {
                }
                case LeafNode leaf -> entries.add(new SmtEntry(leaf.path(), leaf.value()));
                case InnerNode inner -> {
                    collect(child(inner, 0));
                    collect(child(inner, 1));
                }
            }
        }
    }
}
