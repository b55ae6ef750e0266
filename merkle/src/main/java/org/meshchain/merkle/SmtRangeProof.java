package org.meshchain.merkle;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.meshchain.core.codec.CanonicalCodec;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;

/**
 * Proof that a sorted list of entries is every entry of the tree with a path in {@code [start, end]}.
 *
 * <p>The verifier rebuilds the root. Walking down from the root it classifies each subtree by its
 * path interval: a subtree inside the range is rebuilt from the claimed entries alone (so an
 * omitted, added or altered entry changes its hash); a subtree outside the range is taken as one
 * {@link Step.Subtree} hash; a subtree straddling {@code start} or {@code end} is described by one
 * step: {@link Step.Inner} (descend into both children), {@link Step.Empty},
 * {@link Step.RangeLeaf} (a single leaf, which is the one claimed entry in it) or
 * {@link Step.OtherLeaf} (a single leaf outside the range). At most two subtrees straddle per
 * depth, so a proof has at most {@value #MAX_STEPS} steps whatever the number of entries.
 *
 * <p>Encoding: sequence of steps, each a ULEB128 tag (0 Inner, 1 Empty, 2 RangeLeaf, 3 OtherLeaf
 * path valueHash, 4 Subtree hash) and its fixed 32-byte fields.
 */
public record SmtRangeProof(List<Step> steps) {

    /** Two straddling subtrees per depth, each at most one step plus two child steps. */
    public static final int MAX_STEPS = 3 * 2 * SparseMerkleTree.DEPTH;
    public static final int MAX_ENCODED_BYTES = 3 + MAX_STEPS * (1 + 2 * Hash32.LENGTH);

    private static final int TAG_INNER = 0;
    private static final int TAG_EMPTY = 1;
    private static final int TAG_RANGE_LEAF = 2;
    private static final int TAG_OTHER_LEAF = 3;
    private static final int TAG_SUBTREE = 4;
    private static final int TAG_COUNT = 5;

    /** One step of the pre-order walk over the subtrees that are not inside the range. */
    public sealed interface Step {
        /** A straddling inner node: its two children follow. */
        record Inner() implements Step {
        }

        /** A straddling empty subtree. */
        record Empty() implements Step {
        }

        /** A straddling single leaf that is the only claimed entry in that subtree. */
        record RangeLeaf() implements Step {
        }

        /** A straddling single leaf whose path is outside the range. */
        record OtherLeaf(Hash32 path, Hash32 valueHash) implements Step {
            public OtherLeaf {
                Objects.requireNonNull(path, "path");
                Objects.requireNonNull(valueHash, "valueHash");
            }
        }

        /** The hash of a subtree entirely outside the range. */
        record Subtree(Hash32 hash) implements Step {
            public Subtree {
                Objects.requireNonNull(hash, "hash");
            }
        }
    }

    public static final CanonicalCodec<SmtRangeProof> CODEC = new CanonicalCodec<>() {
        @Override
        public void write(CanonicalWriter writer, SmtRangeProof proof) {
            writer.seq(proof.steps(), (w, step) -> {
                switch (step) {
                    case Step.Inner inner -> w.tag(TAG_INNER);
                    case Step.Empty empty -> w.tag(TAG_EMPTY);
                    case Step.RangeLeaf leaf -> w.tag(TAG_RANGE_LEAF);
                    case Step.OtherLeaf leaf -> w.tag(TAG_OTHER_LEAF)
                            .fixed(leaf.path().toByteArray())
                            .fixed(leaf.valueHash().toByteArray());
                    case Step.Subtree subtree -> w.tag(TAG_SUBTREE).fixed(subtree.hash().toByteArray());
                }
            });
        }

        @Override
        public SmtRangeProof read(CanonicalReader reader) throws DecodeException {
            return new SmtRangeProof(reader.seq("steps", MAX_STEPS, r -> switch (r.tag("step", TAG_COUNT)) {
                case TAG_INNER -> new Step.Inner();
                case TAG_EMPTY -> new Step.Empty();
                case TAG_RANGE_LEAF -> new Step.RangeLeaf();
                case TAG_OTHER_LEAF -> new Step.OtherLeaf(
                        Hash32.of(r.fixed("otherLeaf.path", Hash32.LENGTH)),
                        Hash32.of(r.fixed("otherLeaf.valueHash", Hash32.LENGTH)));
                case TAG_SUBTREE -> new Step.Subtree(Hash32.of(r.fixed("subtree.hash", Hash32.LENGTH)));
                default -> throw new IllegalStateException("tag() bounds the tag to " + TAG_COUNT + " variants");
            }));
        }
    };

    public SmtRangeProof {
        steps = List.copyOf(steps);
        if (steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("a range proof has at most " + MAX_STEPS + " steps, got " + steps.size());
        }
    }

    public byte[] encode() {
        return CODEC.encode(this);
    }

    /** Strict decode of untrusted bytes. */
    public static SmtRangeProof decode(byte[] bytes) throws DecodeException {
        return CODEC.decode(bytes, MAX_ENCODED_BYTES, "SmtRangeProof");
    }

    /**
     * Whether {@code proof} shows that {@code entries} are exactly the entries with a path in
     * {@code [start, end]} of the tree with {@code root}. Entries must be sorted by strictly
     * increasing path.
     */
    public static boolean verify(Hash32 root, Hash32 start, Hash32 end, List<SmtEntry> entries, SmtRangeProof proof) {
        if (start.compareTo(end) > 0) {
            return false;
        }
        byte[] startBytes = start.toByteArray();
        byte[] endBytes = end.toByteArray();
        byte[][] paths = sortedPathsInRange(entries, startBytes, endBytes);
        if (paths == null) {
            return false;
        }
        Rebuild rebuild = new Rebuild(startBytes, endBytes, entries, paths, proof.steps());
        byte[] rebuilt = rebuild.subtree(0, RangeBounds.emptyPrefix(), 0, paths.length);
        return rebuilt != null && rebuild.nextStep == proof.steps().size() && Hash32.of(rebuilt).equals(root);
    }

    /** The entries' paths, or null unless every path lies in the range and the paths strictly increase. */
    private static byte[][] sortedPathsInRange(List<SmtEntry> entries, byte[] startBytes, byte[] endBytes) {
        byte[][] paths = new byte[entries.size()][];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = entries.get(i).path().toByteArray();
            if (!RangeBounds.contains(paths[i], startBytes, endBytes)
                    || (i > 0 && Arrays.compareUnsigned(paths[i - 1], paths[i]) >= 0)) {
                return null;
            }
        }
        return paths;
    }

    /** A complete subtree of the tree that a verified range holds: its depth, key, whether it is one leaf, a path in it. */
    record RangeSubtree(int depth, NodeKey key, boolean singleLeaf, byte[] path) {
    }

    /** What {@link #verifyAndBuild} gives for a valid proof: the nodes of the range's subtrees and those subtrees in key order. */
    record VerifiedRange(List<SmtNode> nodes, List<RangeSubtree> subtrees) {
    }

    /**
     * {@link #verify} that also keeps what it hashed: the nodes (keyed with {@code version}) of the
     * subtrees that lie wholly in the range, and each such subtree's root. Null if the proof fails.
     * The same hashing serves verification and building, so a snapshot import hashes its state once.
     */
    static VerifiedRange verifyAndBuild(Hash32 root, Hash32 start, Hash32 end, List<SmtEntry> entries, SmtRangeProof proof,
            long version) {
        if (start.compareTo(end) > 0) {
            return null;
        }
        byte[] startBytes = start.toByteArray();
        byte[] endBytes = end.toByteArray();
        byte[][] paths = sortedPathsInRange(entries, startBytes, endBytes);
        if (paths == null) {
            return null;
        }
        Rebuild rebuild = new Rebuild(startBytes, endBytes, entries, paths, proof.steps());
        rebuild.startBuilding(version);
        byte[] rebuilt = rebuild.subtree(0, RangeBounds.emptyPrefix(), 0, paths.length);
        if (rebuilt == null || rebuild.nextStep != proof.steps().size() || !Hash32.of(rebuilt).equals(root)) {
            return null;
        }
        return new VerifiedRange(rebuild.built, rebuild.subtrees);
    }

    /** The verifier's walk; {@code null} from any step means the proof is rejected. */
    private static final class Rebuild {

        private final SmtHasher hasher = new SmtHasher();
        private final byte[] start;
        private final byte[] end;
        private final List<SmtEntry> entries;
        private final byte[][] paths;
        private final List<Step> steps;
        int nextStep;
        /** Building mode: nodes are created (keyed with this version) for the subtrees inside the range. */
        private boolean building;
        private long buildVersion;
        final List<SmtNode> built = new java.util.ArrayList<>();
        final List<RangeSubtree> subtrees = new java.util.ArrayList<>();

        void startBuilding(long version) {
            building = true;
            buildVersion = version;
        }

        Rebuild(byte[] start, byte[] end, List<SmtEntry> entries, byte[][] paths, List<Step> steps) {
            this.start = start;
            this.end = end;
            this.entries = entries;
            this.paths = paths;
            this.steps = steps;
        }

        /** Hash of the subtree at {@code depth} with {@code prefix}; its claimed entries are {@code [from, to)}. */
        byte[] subtree(int depth, byte[] prefix, int from, int to) {
            switch (RangeBounds.classify(prefix, depth, start, end)) {
                case INSIDE -> {
                    if (building) {
                        SmtNode node = buildFromEntries(depth, from, to);
                        if (node == null) {
                            return new byte[Hash32.LENGTH];
                        }
                        subtrees.add(new RangeSubtree(depth, node.key(), node instanceof LeafNode, paths[from]));
                        return node.key().hashBytes();
                    }
                    return fromEntries(depth, from, to);
                }
                case OUTSIDE -> {
                    assert from == to : "claimed entries are all inside the range";
                    return nextStep() instanceof Step.Subtree subtree ? subtree.hash().toByteArray() : null;
                }
                default -> {
                    Step step = nextStep();
                    return switch (step) {
                        case null -> null;
                        case Step.Empty empty -> from == to ? new byte[Hash32.LENGTH] : null;
                        case Step.RangeLeaf leaf -> to - from != 1 ? null : building ? rangeLeaf(depth, from) : leafOf(from);
                        case Step.OtherLeaf leaf -> otherLeaf(leaf, depth, prefix, from, to);
                        case Step.Inner inner -> {
                            int split = SmtHasher.firstWithBitSet(paths, depth, from, to);
                            byte[] left = subtree(depth + 1, RangeBounds.child(prefix, depth, 0), from, split);
                            if (left == null) {
                                yield null;
                            }
                            byte[] right = subtree(depth + 1, RangeBounds.child(prefix, depth, 1), split, to);
                            yield right == null ? null : hasher.inner(left, right);
                        }
                        case Step.Subtree subtree -> null;
                    };
                }
            }
        }

        private byte[] otherLeaf(Step.OtherLeaf leaf, int depth, byte[] prefix, int from, int to) {
            byte[] path = leaf.path().toByteArray();
            if (from != to || RangeBounds.contains(path, start, end) || !RangeBounds.hasPrefix(path, prefix, depth)) {
                return null;
            }
            return hasher.leaf(path, leaf.valueHash().toByteArray());
        }

        /** The canonical subtree of exactly the claimed entries {@code [from, to)}. */
        private byte[] fromEntries(int depth, int from, int to) {
            if (from == to) {
                return new byte[Hash32.LENGTH];
            }
            if (to - from == 1) {
                return leafOf(from);
            }
            int split = SmtHasher.firstWithBitSet(paths, depth, from, to);
            return hasher.inner(fromEntries(depth + 1, from, split), fromEntries(depth + 1, split, to));
        }

        /** Building mode: the nodes of the canonical subtree of the entries {@code [from, to)}; null if empty. */
        private SmtNode buildFromEntries(int depth, int from, int to) {
            if (from == to) {
                return null;
            }
            if (to - from == 1) {
                return newLeaf(from);
            }
            int split = SmtHasher.firstWithBitSet(paths, depth, from, to);
            SmtNode left = buildFromEntries(depth + 1, from, split);
            SmtNode right = buildFromEntries(depth + 1, split, to);
            NodeKey leftKey = left == null ? NodeKey.EMPTY : left.key();
            NodeKey rightKey = right == null ? NodeKey.EMPTY : right.key();
            InnerNode inner = new InnerNode(hasher.innerKey(buildVersion, leftKey, rightKey), leftKey, rightKey);
            built.add(inner);
            return inner;
        }

        /** Building mode: a straddling subtree whose only leaf is a claimed entry is that leaf, complete. */
        private byte[] rangeLeaf(int depth, int index) {
            LeafNode leaf = newLeaf(index);
            subtrees.add(new RangeSubtree(depth, leaf.key(), true, paths[index]));
            return leaf.key().hashBytes();
        }

        private LeafNode newLeaf(int index) {
            org.meshchain.core.codec.Bytes value = entries.get(index).value();
            byte[] valueHash = hasher.value(value);
            LeafNode leaf = new LeafNode(hasher.leafKey(buildVersion, paths[index], valueHash), paths[index], valueHash, value);
            built.add(leaf);
            return leaf;
        }

        private byte[] leafOf(int index) {
            return hasher.leaf(paths[index], hasher.value(entries.get(index).value()));
        }

        private Step nextStep() {
            return nextStep < steps.size() ? steps.get(nextStep++) : null;
        }
    }
}
