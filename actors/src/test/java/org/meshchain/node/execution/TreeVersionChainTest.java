package org.meshchain.node.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.merkle.SmtProof;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.persistence.state.PrecomputedVersion;
import org.meshchain.wasm.WasmContractRuntime;
import org.meshchain.wasm.WasmRuntime;

/**
 * Each executed block carries its state tree version computed on top of its parent's (ADR 0057): the
 * versions chain across uncommitted ancestors, the roots are those of applying all updates at once,
 * and the store writes them as they are, giving the same stored state as recomputing them.
 */
class TreeVersionChainTest {

    static final List<Ed25519PrivateKey> SENDERS = List.of(TestChain.key(1), TestChain.key(2), TestChain.key(3), TestChain.key(4));

    static WasmRuntime wasm;
    static ExecutorService thread;

    @TempDir
    Path dir;
    @TempDir
    Path recomputedDir;
    TestChain chain;
    /** The same chain committed by recomputing every version in the store (the fallback path). */
    TestChain recomputed;
    SerialBlockExecutor executor;
    long[] nonces = new long[SENDERS.size()];

    @BeforeAll
    static void startRuntime() {
        wasm = new WasmRuntime();
        thread = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopRuntime() {
        wasm.close();
        thread.shutdownNow();
    }

    @BeforeEach
    void open() throws Exception {
        chain = new TestChain(dir);
        recomputed = new TestChain(recomputedDir);
        chain.commitGenesis(TestChain.fund(SENDERS, 1_000_000));
        recomputed.commitGenesis(TestChain.fund(SENDERS, 1_000_000));
        executor = new SerialBlockExecutor(new Ledger(Ledger.Config.of(TestChain.CHAIN), new WasmContractRuntime(wasm)),
                chain.committed, thread);
    }

    @AfterEach
    void close() {
        chain.close();
        recomputed.close();
    }

    /** A block of transfers from every sender to fresh and existing recipients. */
    private Block nextBlock(long height, Hash32 parent) {
        List<SignedTransaction> txs = new ArrayList<>();
        for (int s = 0; s < SENDERS.size(); s++) {
            for (int t = 0; t < 5; t++) {
                int recipient = (int) (height * 7 + s * 5 + t) % 23;
                txs.add(TestChain.tx(SENDERS.get(s), nonces[s]++, 1,
                        new Payload.Transfer(TestChain.address(TestChain.key(100 + recipient)), 10 + t)));
            }
        }
        return TestChain.block(height, parent, txs);
    }

    /** Executes {@code count} blocks above the head, each on all the earlier ones as uncommitted ancestors. */
    private List<Block> executePipelined(int count, List<ExecutedBlock> results) throws Exception {
        List<Block> blocks = new ArrayList<>();
        Hash32 parent = chain.chain.head().orElseThrow().blockId();
        long height = chain.chain.head().orElseThrow().height() + 1;
        for (int i = 0; i < count; i++) {
            Block block = nextBlock(height + i, parent);
            results.add(executor.execute(block, List.copyOf(results)).toCompletableFuture().get());
            blocks.add(block);
            parent = block.id();
        }
        return blocks;
    }

    @Test
    void versionsChainAcrossUncommittedAncestorsAndTheStoreWritesThemAsTheyAre() throws Exception {
        List<ExecutedBlock> results = new ArrayList<>();
        List<Block> blocks = executePipelined(5, results);

        // each version is the next one, computed on its parent's root
        Hash32 committedRoot;
        try (CommittedState.Snapshot snapshot = chain.committed.open()) {
            committedRoot = snapshot.root().hash();
            for (int i = 0; i < results.size(); i++) {
                PrecomputedVersion version = results.get(i).treeVersion();
                assertThat(version).isNotNull();
                assertThat(version.version()).isEqualTo(results.get(i).height() + 1).isEqualTo(snapshot.stateVersion() + 1 + i);
                assertThat(version.root().hash()).isEqualTo(results.get(i).stateRoot());
                assertThat(version.baseRoot()).isEqualTo(i == 0 ? snapshot.root() : results.get(i - 1).treeVersion().root());
                assertThat(version.commit().newNodes()).isNotEmpty().allMatch(n -> n.key().version() == version.version());
                // the root equals the one of applying every block's updates at once on the committed tree
                assertThat(results.get(i).stateRoot()).isEqualTo(mergedRoot(snapshot, results.subList(0, i + 1)));
            }
        }
        assertThat(results.getLast().stateRoot()).isNotEqualTo(committedRoot);

        for (int i = 0; i < blocks.size(); i++) {
            assertThat(chain.state.stagePrecomputed(results.get(i).treeVersion(), results.get(i).stateUpdates()))
                    .as("block %d's version is on the store's latest", i).isTrue();
            chain.state.commitBlock(blocks.get(i), TestChain.certificate(blocks.get(i), results.get(i).stateRoot()),
                    results.get(i).receipts());
            recomputed.commit(blocks.get(i), results.get(i));
        }
        assertSameStoredState();
    }

    @Test
    void aChildOfAnAncestorWithoutItsVersionComputesItAndGetsTheSameResult() throws Exception {
        List<ExecutedBlock> results = new ArrayList<>();
        List<Block> blocks = executePipelined(3, results);
        // as after a restart: the middle ancestor has no version
        List<ExecutedBlock> stripped = List.of(results.get(0), results.get(1).withoutTreeVersion());
        ExecutedBlock again = executor.execute(blocks.get(2), stripped).toCompletableFuture().get();
        assertThat(again).isEqualTo(results.get(2));
        assertThat(again.treeVersion().root()).isEqualTo(results.get(2).treeVersion().root());
        assertThat(again.treeVersion().commit().newNodes()).hasSameSizeAs(results.get(2).treeVersion().commit().newNodes());

        // the store takes the first as it is, recomputes the second (none), and takes the third again
        assertThat(chain.state.stagePrecomputed(results.get(0).treeVersion(), results.get(0).stateUpdates())).isTrue();
        chain.state.commitBlock(blocks.get(0), TestChain.certificate(blocks.get(0), results.get(0).stateRoot()), results.get(0).receipts());
        assertThat(chain.state.stagePrecomputed(null, results.get(1).stateUpdates())).isFalse();
        chain.state.commitBlock(blocks.get(1), TestChain.certificate(blocks.get(1), results.get(1).stateRoot()), results.get(1).receipts());
        assertThat(chain.state.stagePrecomputed(again.treeVersion(), again.stateUpdates())).isTrue();
        chain.state.commitBlock(blocks.get(2), TestChain.certificate(blocks.get(2), again.stateRoot()), again.receipts());
        for (int i = 0; i < 3; i++) {
            recomputed.commit(blocks.get(i), results.get(i));
        }
        assertSameStoredState();
    }

    @Test
    void theParallelTreeUpdateGivesTheSameVersions() throws Exception {
        List<ExecutedBlock> results = new ArrayList<>();
        executePipelined(3, results);
        ForkJoinPool pool = new ForkJoinPool(4);
        try (CommittedState.Snapshot snapshot = chain.committed.open()) {
            PrecomputedVersion parallel = TreeVersions.next(snapshot, results.subList(0, 2), results.get(2).stateUpdates(), pool, 4);
            PrecomputedVersion serial = results.get(2).treeVersion();
            assertThat(parallel.root()).isEqualTo(serial.root());
            assertThat(parallel.baseRoot()).isEqualTo(serial.baseRoot());
            assertThat(parallel.commit().newNodes()).extracting(n -> n.key())
                    .containsExactlyInAnyOrderElementsOf(serial.commit().newNodes().stream().map(n -> n.key()).toList());
            assertThat(parallel.commit().staleNodes()).containsExactlyInAnyOrderElementsOf(serial.commit().staleNodes());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The root of the committed tree with every given block's updates applied as ONE version (the former way). */
    private static Hash32 mergedRoot(CommittedState.Snapshot snapshot, List<ExecutedBlock> blocks) {
        TreeMap<Hash32, SmtUpdate> merged = new TreeMap<>();
        for (ExecutedBlock block : blocks) {
            for (SmtUpdate update : block.stateUpdates()) {
                merged.put(update.path(), update);
            }
        }
        SparseMerkleTree tree = new SparseMerkleTree(new OverlayNodeStore(snapshot));
        return tree.apply(tree.latestVersion(), new ArrayList<>(merged.values())).root();
    }

    /** Both stores hold the same versions, nodes, values and proofs. */
    private void assertSameStoredState() {
        long latest = recomputed.state.latestVersion();
        assertThat(chain.state.latestVersion()).isEqualTo(latest);
        assertThat(chain.state.nodeCount()).isEqualTo(recomputed.state.nodeCount());
        for (long version = 0; version <= latest; version++) {
            assertThat(chain.state.tree().rootHash(version)).isEqualTo(recomputed.state.tree().rootHash(version));
        }
        Hash32 root = chain.state.tree().rootHash(latest);
        for (int r = 0; r < 30; r++) {
            Hash32 path = StatePaths.account(TestChain.address(TestChain.key(100 + r)));
            Optional<Bytes> value = recomputed.state.valueAtHead(path);
            assertThat(chain.state.valueAtHead(path)).isEqualTo(value);
            assertThat(chain.state.valueAt(latest, path)).isEqualTo(value);
            SmtProof proof = chain.state.prove(latest, path);
            assertThat(proof).isEqualTo(recomputed.state.prove(latest, path));
            assertThat(value.isPresent() ? SmtProof.verifyMembership(root, path, value.get().toByteArray(), proof)
                    : SmtProof.verifyNonMembership(root, path, proof)).isTrue();
        }
    }
}
