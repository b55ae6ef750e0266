package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/** Building a version from verified chunks gives exactly the tree that inserting every entry gives. */
class SmtChunkBuilderTest {

    private static final BigInteger LAST = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

    @Test
    void chunksJoinIntoTheSameTreeForRandomStatesAndBoundaries() {
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            int size = round < 10 ? round : random.nextInt(round < 150 ? 60 : 600);
            List<Hash32> pool = Scenarios.pathPool(random, Math.max(1, size * 2));
            TreeMap<Hash32, Bytes> state = new TreeMap<>();
            for (int i = 0; i < size; i++) {
                state.put(pool.get(random.nextInt(pool.size())), Scenarios.value(random));
            }
            SparseMerkleTree tree = Scenarios.treeWith(state);
            long version = tree.latestVersion();
            Hash32 root = tree.rootHash(version);

            List<Hash32[]> chunks = randomChunks(random, state, 1 + random.nextInt(8));
            Map<NodeKey, SmtNode> written = new HashMap<>();
            SmtChunkBuilder builder = new SmtChunkBuilder(root, 7);
            for (Hash32[] chunk : chunks) {
                List<SmtEntry> entries = entries(state, chunk[0], chunk[1]);
                SmtRangeProof proof = tree.rangeProof(version, chunk[0], chunk[1]);
                assertThat(proof).isEqualTo(tree.range(version, chunk[0], chunk[1]).proof());
                assertThat(builder.addChunk(chunk[0], chunk[1], entries, proof)).isTrue();
                builder.takeNewNodes().forEach(node -> assertThat(written.put(node.key(), node)).isNull());
                if (random.nextBoolean()) {
                    builder = SmtChunkBuilder.resume(root, 7, builder.checkpoint());
                }
            }
            NodeKey built = builder.finish();
            builder.takeNewNodes().forEach(node -> assertThat(written.put(node.key(), node)).isNull());
            assertThat(built.hash()).isEqualTo(root).isEqualTo(ReferenceSmt.root(state));
            assertThat(built.version()).isEqualTo(built.isEmpty() ? 0 : 7);
            // every node reachable from the root was written, and nothing else
            assertThat(reachable(written, built)).isEqualTo(written.size());
            for (Map.Entry<Hash32, Bytes> entry : state.entrySet()) {
                assertThat(valueAt(written, built, entry.getKey())).isEqualTo(entry.getValue());
            }
        }
    }

    @Test
    void aTamperedChunkIsRejectedAndChangesNothing() {
        Random random = new Random(9);
        TreeMap<Hash32, Bytes> state = new TreeMap<>();
        for (Hash32 path : Scenarios.pathPool(random, 300)) {
            state.put(path, Scenarios.value(random));
        }
        SparseMerkleTree tree = Scenarios.treeWith(state);
        Hash32 root = tree.rootHash(1);
        Hash32 middle = Hash32.fromHex("80" + "00".repeat(31));
        Hash32 beforeMiddle = Hash32.fromHex("7f" + "ff".repeat(31));
        Hash32 first = Hash32.ZERO;
        Hash32 last = Hash32.fromHex("ff".repeat(32));
        SmtChunkBuilder builder = new SmtChunkBuilder(root, 1);
        List<SmtEntry> lowEntries = entries(state, first, beforeMiddle);
        List<SmtEntry> dropped = new ArrayList<>(lowEntries.subList(1, lowEntries.size()));
        assertThat(builder.addChunk(first, beforeMiddle, dropped, tree.rangeProof(1, first, beforeMiddle))).isFalse();
        List<SmtEntry> altered = new ArrayList<>(lowEntries);
        altered.set(3, new SmtEntry(altered.get(3).path(), Bytes.of(new byte[] {42})));
        assertThat(builder.addChunk(first, beforeMiddle, altered, tree.rangeProof(1, first, beforeMiddle))).isFalse();
        assertThat(builder.takeNewNodes()).isEmpty();
        assertThatThrownBy(() -> new SmtChunkBuilder(root, 1).addChunk(middle, last, entries(state, middle, last),
                tree.rangeProof(1, middle, last))).isInstanceOf(IllegalArgumentException.class);
        assertThat(builder.addChunk(first, beforeMiddle, lowEntries, tree.rangeProof(1, first, beforeMiddle))).isTrue();
        assertThatThrownBy(builder::finish).isInstanceOf(IllegalStateException.class);
        assertThat(builder.addChunk(middle, last, entries(state, middle, last), tree.rangeProof(1, middle, last))).isTrue();
        assertThat(builder.finish().hash()).isEqualTo(root);
    }

    /** Random boundaries tiling the key space; some fall exactly on entries, some between. */
    private static List<Hash32[]> randomChunks(Random random, TreeMap<Hash32, Bytes> state, int count) {
        java.util.TreeSet<BigInteger> ends = new java.util.TreeSet<>();
        List<Hash32> keys = new ArrayList<>(state.keySet());
        for (int i = 0; i < count - 1; i++) {
            if (!keys.isEmpty() && random.nextBoolean()) {
                ends.add(new BigInteger(1, keys.get(random.nextInt(keys.size())).toByteArray()));
            } else {
                ends.add(new BigInteger(256, random));
            }
        }
        ends.remove(LAST);
        ends.add(LAST);
        List<Hash32[]> chunks = new ArrayList<>();
        BigInteger start = BigInteger.ZERO;
        for (BigInteger end : ends) {
            chunks.add(new Hash32[] {hash(start), hash(end)});
            start = end.add(BigInteger.ONE);
        }
        return chunks;
    }

    private static Hash32 hash(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return Hash32.of(out);
    }

    private static List<SmtEntry> entries(TreeMap<Hash32, Bytes> state, Hash32 start, Hash32 end) {
        List<SmtEntry> entries = new ArrayList<>();
        state.subMap(start, true, end, true).forEach((path, value) -> entries.add(new SmtEntry(path, value)));
        return entries;
    }

    private static int reachable(Map<NodeKey, SmtNode> nodes, NodeKey root) {
        int count = 0;
        ArrayDeque<NodeKey> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            NodeKey key = pending.pop();
            if (key.isEmpty()) {
                continue;
            }
            SmtNode node = nodes.get(key);
            assertThat(node).as("node %s", key).isNotNull();
            count++;
            if (node instanceof InnerNode inner) {
                pending.push(inner.left());
                pending.push(inner.right());
            }
        }
        return count;
    }

    private static Bytes valueAt(Map<NodeKey, SmtNode> nodes, NodeKey root, Hash32 path) {
        SmtNode node = nodes.get(root);
        for (int depth = 0; node instanceof InnerNode inner; depth++) {
            node = nodes.get(path.bit(depth) == 0 ? inner.left() : inner.right());
        }
        return node instanceof LeafNode leaf && leaf.path().equals(path) ? leaf.value() : null;
    }
}
