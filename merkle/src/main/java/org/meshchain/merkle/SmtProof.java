package org.meshchain.merkle;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.codec.CanonicalCodec;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * Proof of membership or non-membership of one path. {@code siblings.get(d)} is the hash of the
 * sibling at depth {@code d + 1} on the path from the root (root first); the path ends at depth
 * {@code siblings.size()} in the proved key's leaf (membership), an empty subtree, or another
 * key's leaf ({@code otherLeaf}, non-membership only). Same content as celestiaorg/smt's
 * SparseMerkleProof (side nodes and non-membership leaf data) without its empty-side compression.
 *
 * <p>Encoding (canonical, DESIGN 3.1): sequence of at most 256 32-byte hashes, then an option of
 * (path, value hash). At most {@link #MAX_ENCODED_BYTES}.
 */
public record SmtProof(List<Hash32> siblings, LeafData otherLeaf) {

    public static final int MAX_ENCODED_BYTES = 2 + SparseMerkleTree.DEPTH * Hash32.LENGTH + 1 + 2 * Hash32.LENGTH;

    public static final CanonicalCodec<SmtProof> CODEC = new CanonicalCodec<>() {
        @Override
        public void write(CanonicalWriter writer, SmtProof proof) {
            writer.seq(proof.siblings(), (w, hash) -> w.fixed(hash.toByteArray()));
            writer.option(proof.otherLeaf(), (w, leaf) -> {
                w.fixed(leaf.path().toByteArray());
                w.fixed(leaf.valueHash().toByteArray());
            });
        }

        @Override
        public SmtProof read(CanonicalReader reader) throws DecodeException {
            List<Hash32> siblings = reader.seq("siblings", SparseMerkleTree.DEPTH,
                    r -> Hash32.of(r.fixed("sibling", Hash32.LENGTH)));
            LeafData otherLeaf = reader.option("otherLeaf", r -> new LeafData(
                    Hash32.of(r.fixed("otherLeaf.path", Hash32.LENGTH)),
                    Hash32.of(r.fixed("otherLeaf.valueHash", Hash32.LENGTH))));
            return new SmtProof(siblings, otherLeaf);
        }
    };

    /** Path and value hash of the leaf found where the proved path would be. */
    public record LeafData(Hash32 path, Hash32 valueHash) {
        public LeafData {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(valueHash, "valueHash");
        }
    }

    public SmtProof {
        siblings = List.copyOf(siblings);
        if (siblings.size() > SparseMerkleTree.DEPTH) {
            throw new IllegalArgumentException("a proof has at most 256 siblings, got " + siblings.size());
        }
    }

    public byte[] encode() {
        return CODEC.encode(this);
    }

    /** Strict decode of untrusted bytes. */
    public static SmtProof decode(byte[] bytes) throws DecodeException {
        return CODEC.decode(bytes, MAX_ENCODED_BYTES, "SmtProof");
    }

    /** Whether {@code proof} shows that {@code path} holds {@code value} in the tree with {@code root}. */
    public static boolean verifyMembership(Hash32 root, Hash32 path, byte[] value, SmtProof proof) {
        if (proof.otherLeaf() != null) {
            return false;
        }
        SmtHasher hasher = new SmtHasher();
        byte[] leaf = hasher.leaf(path.toByteArray(), Hashing.sha256(value).toByteArray());
        return foldToRoot(hasher, path, leaf, proof.siblings()).equals(root);
    }

    /** Whether {@code proof} shows that {@code path} holds no value in the tree with {@code root}. */
    public static boolean verifyNonMembership(Hash32 root, Hash32 path, SmtProof proof) {
        SmtHasher hasher = new SmtHasher();
        byte[] terminal;
        LeafData other = proof.otherLeaf();
        if (other == null) {
            terminal = new byte[Hash32.LENGTH];
        } else {
            byte[] otherPath = other.path().toByteArray();
            // The other leaf must sit on the proved path's branch and be a different key.
            if (other.path().equals(path)
                    || !RangeBounds.hasPrefix(otherPath, path.toByteArray(), proof.siblings().size())) {
                return false;
            }
            terminal = hasher.leaf(otherPath, other.valueHash().toByteArray());
        }
        return foldToRoot(hasher, path, terminal, proof.siblings()).equals(root);
    }

    private static Hash32 foldToRoot(SmtHasher hasher, Hash32 path, byte[] terminal, List<Hash32> siblings) {
        byte[] node = terminal;
        for (int depth = siblings.size() - 1; depth >= 0; depth--) {
            byte[] sibling = siblings.get(depth).toByteArray();
            node = path.bit(depth) == 0 ? hasher.inner(node, sibling) : hasher.inner(sibling, node);
        }
        return Hash32.of(node);
    }
}
