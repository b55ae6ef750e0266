package org.meshchain.persistence.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.NodeStore;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtNodeCodec;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.merkle.VersionCommit;

/**
 * The commit path encodes tree nodes straight into the batch (ADR 0058): the bytes must be exactly
 * {@link SmtNodeCodec#encode}'s and {@link NodeKey#toBytes()}'s, and the key order exactly the
 * unsigned byte order, ties in the first hash bytes included.
 */
class StagedEncodingTest {

    private final Random random = new Random(3);

    /** Captures the versions a tree commits, keeping every node in memory. */
    private static final class Capture implements NodeStore {
        final List<VersionCommit> versions = new ArrayList<>();
        final java.util.Map<NodeKey, SmtNode> nodes = new java.util.HashMap<>();

        @Override
        public SmtNode node(NodeKey key) {
            return nodes.get(key);
        }

        @Override
        public NodeKey root(long version) {
            return version < versions.size() ? versions.get((int) version).root() : null;
        }

        @Override
        public long latestVersion() {
            return versions.size() - 1;
        }

        @Override
        public long oldestRetainedVersion() {
            return 0;
        }

        @Override
        public void commit(VersionCommit commit) {
            versions.add(commit);
            commit.newNodes().forEach(n -> nodes.put(n.key(), n));
        }

        @Override
        public long prune(long oldestRetained) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long nodeCount() {
            return nodes.size();
        }
    }

    @Test
    void nodesEncodedInPlaceAreTheCodecsBytes() {
        Capture store = new Capture();
        SparseMerkleTree tree = new SparseMerkleTree(store);
        for (int b = 0; b < 5; b++) {
            TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
            for (int i = 0; i < 200; i++) {
                Hash32 path = Hashing.sha256(ByteBuffer.allocate(4).putInt(random.nextInt(1_000)).array());
                // value lengths across the one-, two- and three-byte length prefixes
                int length = new int[] {0, 1, 16, 127, 128, 300, 16_383, 16_384}[random.nextInt(8)];
                byte[] value = new byte[length];
                random.nextBytes(value);
                batch.put(path, SmtUpdate.put(path, Bytes.of(value)));
            }
            tree.apply(tree.latestVersion(), new ArrayList<>(batch.values()));
        }
        byte[] buffer = new byte[20_000];
        int inner = 0;
        for (SmtNode node : store.nodes.values()) {
            byte[] expected = SmtNodeCodec.encode(node);
            assertThat(SmtNodeCodec.encodedLength(node)).isEqualTo(expected.length);
            Arrays.fill(buffer, (byte) 0x5A);
            int written = SmtNodeCodec.encodeTo(node, buffer, 7);
            assertThat(written).isEqualTo(expected.length);
            assertThat(Arrays.copyOfRange(buffer, 7, 7 + written)).isEqualTo(expected);
            assertThat(buffer[7 + written]).isEqualTo((byte) 0x5A);
            byte[] key = new byte[NodeKey.ENCODED_LENGTH + 3];
            SmtNodeCodec.encodeKeyTo(node.key(), key, 3);
            assertThat(Arrays.copyOfRange(key, 3, key.length)).isEqualTo(node.key().toBytes());
            inner += node instanceof org.meshchain.merkle.InnerNode ? 1 : 0;
        }
        assertThat(inner).isPositive().isLessThan(store.nodes.size());
    }

    @Test
    void keysAreOrderedByTheirBytesAlsoWhenTheirFirstHashBytesTie() {
        int n = 3_000;
        byte[] keys = new byte[n * NodeKey.ENCODED_LENGTH];
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[NodeKey.ENCODED_LENGTH];
            ByteBuffer.wrap(key).putLong(9);
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            // a third of the keys share their first 8 hash bytes with others, some differ only in the last two
            if (i % 3 == 0) {
                Arrays.fill(hash, 0, 8, (byte) (i % 5));
                if (i % 2 == 0) {
                    Arrays.fill(hash, 8, 30, (byte) 1);
                    hash[30] = (byte) (i >>> 8);
                    hash[31] = (byte) i;
                }
            }
            System.arraycopy(hash, 0, key, 8, 32);
            System.arraycopy(key, 0, keys, i * NodeKey.ENCODED_LENGTH, NodeKey.ENCODED_LENGTH);
        }
        int[] order = EncodedVersion.inKeyOrder(keys, n);
        assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, n).toArray());
        for (int i = 1; i < n; i++) {
            int a = order[i - 1];
            int b = order[i];
            assertThat(Arrays.compareUnsigned(keys, a * 40, a * 40 + 40, keys, b * 40, b * 40 + 40)).isNegative();
        }
        assertThat(EncodedVersion.inKeyOrder(new byte[0], 0)).isEmpty();
        assertThat(EncodedVersion.inKeyOrder(Arrays.copyOf(keys, 40), 1)).containsExactly(0);
    }
}
