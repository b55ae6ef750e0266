package org.meshchain.node.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.merkle.InnerNode;
import org.meshchain.merkle.LeafNode;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtNode;

/** The committed state's node cache (ADR 0061): any bound, any number of concurrent readers, the same nodes. */
class ChainStoreCommittedStateTest {

    @TempDir
    Path dir;

    /** Every node of the committed tree, depth first: key, then children or leaf path and value. */
    private static List<String> walk(CommittedState.Snapshot snapshot) {
        List<String> out = new ArrayList<>();
        walk(snapshot, snapshot.root(), out);
        return out;
    }

    private static void walk(CommittedState.Snapshot snapshot, NodeKey key, List<String> out) {
        if (key.isEmpty()) {
            out.add("empty");
            return;
        }
        SmtNode node = snapshot.node(key);
        assertThat(node.key()).isEqualTo(key);
        if (node instanceof InnerNode inner) {
            out.add(key + " inner");
            walk(snapshot, inner.left(), out);
            walk(snapshot, inner.right(), out);
        } else {
            LeafNode leaf = (LeafNode) node;
            out.add(key + " leaf " + leaf.path() + " " + leaf.value());
        }
    }

    @Test
    void boundedAndConcurrentReadsReturnTheCommittedTree() throws Exception {
        try (TestChain chain = new TestChain(dir)) {
            List<Ed25519PrivateKey> keys = new ArrayList<>();
            for (int i = 1; i <= 300; i++) {
                keys.add(TestChain.key(i));
            }
            chain.commitGenesis(TestChain.fund(keys, 1_000));
            List<String> reference;
            try (CommittedState.Snapshot snapshot = chain.committed.open()) {
                reference = walk(snapshot);
            }
            assertThat(reference).hasSizeGreaterThan(300);
            ExecutorService readers = Executors.newFixedThreadPool(4);
            try {
                for (int bound : new int[] {0, 1, 7, 100_000}) {
                    ChainStoreCommittedState state = new ChainStoreCommittedState(chain.chain, bound, TestChain.MAX_VALUE_BYTES);
                    List<Future<List<String>>> walks = new ArrayList<>();
                    for (int r = 0; r < 8; r++) {
                        walks.add(readers.submit(() -> {
                            try (CommittedState.Snapshot snapshot = state.open()) {
                                return walk(snapshot);
                            }
                        }));
                    }
                    for (Future<List<String>> w : walks) {
                        assertThat(w.get()).as("cache bound %d", bound).isEqualTo(reference);
                    }
                }
            } finally {
                readers.shutdownNow();
            }
        }
    }
}
