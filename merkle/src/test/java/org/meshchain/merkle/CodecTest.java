package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;

class CodecTest {

    @Property(tries = 50)
    void encodingsRoundTripAndNodesDecodeOnlyUnderTheirOwnKey(@ForAll long seed) throws DecodeException {
        Random random = new Random(seed);
        List<Hash32> pool = Scenarios.pathPool(random, 30);
        TreeMap<Hash32, Bytes> entries = new TreeMap<>();
        pool.subList(0, 20).forEach(path -> entries.put(path, Scenarios.value(random)));
        InMemoryNodeStore store = new InMemoryNodeStore();
        SparseMerkleTree tree = new SparseMerkleTree(store);
        tree.apply(0, Scenarios.putsOf(entries));

        for (Hash32 path : pool) {
            byte[] encoded = tree.prove(1, path).encode();
            assertThat(SmtProof.decode(encoded).encode()).isEqualTo(encoded);
            assertThat(SmtProof.decode(encoded)).isEqualTo(tree.prove(1, path));
        }
        byte[] range = tree.range(1, pool.get(3).compareTo(pool.get(4)) < 0 ? pool.get(3) : pool.get(4),
                pool.get(3).compareTo(pool.get(4)) < 0 ? pool.get(4) : pool.get(3)).proof().encode();
        assertThat(SmtRangeProof.decode(range).encode()).isEqualTo(range);

        NodeKey root = store.root(1);
        java.util.ArrayDeque<NodeKey> pending = new java.util.ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            SmtNode node = store.node(pending.pop());
            byte[] bytes = SmtNodeCodec.encode(node);
            SmtNode decoded = SmtNodeCodec.decode(node.key(), bytes, 1024);
            assertThat(SmtNodeCodec.encode(decoded)).isEqualTo(bytes);
            assertThat(NodeKey.fromBytes(node.key().toBytes())).isEqualTo(node.key());
            NodeKey wrongKey = NodeKey.of(node.key().version(), Scenarios.randomPath(random));
            assertThatThrownBy(() -> SmtNodeCodec.decode(wrongKey, bytes, 1024)).isInstanceOf(DecodeException.class);
            byte[] corrupt = bytes.clone();
            corrupt[hashedPosition(node, random)] ^= 1;
            assertThatThrownBy(() -> SmtNodeCodec.decode(node.key(), corrupt, 1024)).isInstanceOf(DecodeException.class);
            if (node instanceof InnerNode inner) {
                for (NodeKey child : List.of(inner.left(), inner.right())) {
                    if (!child.isEmpty()) {
                        pending.push(child);
                    }
                }
            }
        }
    }

    /**
     * A byte that the node's hash covers. The creation versions inside an inner node's child keys
     * are not hashed (as in Jellyfish); a corrupted one surfaces as a missing node on lookup.
     */
    private static int hashedPosition(SmtNode node, Random random) {
        int position = random.nextInt(SmtNodeCodec.encode(node).length);
        if (node instanceof InnerNode) {
            while (position >= 1 && (position - 1) % NodeKey.ENCODED_LENGTH < 8) {
                position = random.nextInt(1 + 2 * NodeKey.ENCODED_LENGTH);
            }
        }
        return position;
    }

    @Test
    void decodingIsStrictAndBounded() {
        byte[] empty = new SmtProof(List.of(), null).encode();
        assertThat(empty).containsExactly(0, 0);
        assertThatThrownBy(() -> SmtProof.decode(new byte[] {0, 0, 0}))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.TRAILING_BYTES);
        assertThatThrownBy(() -> SmtProof.decode(new byte[] {0, 2}))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.BAD_TAG);
        // 257 siblings: one more than a 256-bit path can have.
        assertThatThrownBy(() -> SmtProof.decode(new byte[] {(byte) 0x81, 0x02}))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);
        assertThatThrownBy(() -> SmtProof.decode(new byte[] {1, 0}))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.TRUNCATED);
        assertThatThrownBy(() -> SmtProof.decode(new byte[SmtProof.MAX_ENCODED_BYTES + 1]))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);

        assertThatThrownBy(() -> SmtRangeProof.decode(new byte[] {1, 5}))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.BAD_TAG);
        assertThatThrownBy(() -> SmtRangeProof.decode(new byte[SmtRangeProof.MAX_ENCODED_BYTES + 1]))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);
        byte[] tooManySteps = new CanonicalSteps(SmtRangeProof.MAX_STEPS + 1).bytes;
        assertThatThrownBy(() -> SmtRangeProof.decode(tooManySteps))
                .isInstanceOf(DecodeException.class).extracting("kind").isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);
        assertThat(new CanonicalSteps(3).bytes).satisfies(bytes -> assertThat(SmtRangeProof.decode(bytes).steps()).hasSize(3));
    }

    @Test
    void maximalProofsFitTheirBounds() {
        List<Hash32> siblings = java.util.Collections.nCopies(SparseMerkleTree.DEPTH, Hash32.ZERO);
        byte[] largest = new SmtProof(siblings, new SmtProof.LeafData(Hash32.ZERO, Hash32.ZERO)).encode();
        assertThat(largest.length).isEqualTo(SmtProof.MAX_ENCODED_BYTES);
        List<SmtRangeProof.Step> steps = java.util.Collections.nCopies(SmtRangeProof.MAX_STEPS,
                new SmtRangeProof.Step.OtherLeaf(Hash32.ZERO, Hash32.ZERO));
        assertThat(new SmtRangeProof(steps).encode().length).isLessThanOrEqualTo(SmtRangeProof.MAX_ENCODED_BYTES);
    }

    /** A range proof encoding of {@code count} Inner steps (tag 0), built by hand. */
    private static final class CanonicalSteps {
        final byte[] bytes;

        CanonicalSteps(int count) {
            byte[] prefix = new org.meshchain.core.codec.CanonicalWriter().uleb128(count).toByteArray();
            bytes = Arrays.copyOf(prefix, prefix.length + count);
        }
    }
}
