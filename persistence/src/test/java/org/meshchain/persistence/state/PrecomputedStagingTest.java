package org.meshchain.persistence.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.NodeStore;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtProof;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.merkle.VersionCommit;
import org.meshchain.persistence.chain.ChainFixtures;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.chain.StateDelta;
import org.meshchain.persistence.chain.StorageError;

/**
 * {@link StateStore#stagePrecomputed}: a version computed in memory on the store's latest version is
 * written as it is and gives exactly the state the store's own computation gives; one on another base
 * is not used; a malformed one or one whose root the certificate does not name writes nothing.
 * Two real RocksDB stores side by side: one takes precomputed versions, the other recomputes.
 */
class PrecomputedStagingTest {

    @TempDir
    Path dir;
    @TempDir
    Path otherDir;

    private ChainStore chain;
    private StateStore state;
    /** The reference: every version computed by the store itself ({@link StateStore#stage}). */
    private ChainStore recomputedChain;
    private StateStore recomputed;
    private final Random random = new Random(5);

    @BeforeEach
    void open() {
        chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 1_000, 1024);
        recomputedChain = ChainStore.open(otherDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        recomputed = new StateStore(recomputedChain, 1_000, 1024);
    }

    @AfterEach
    void close() {
        chain.close();
        recomputedChain.close();
    }

    private static Hash32 path(int key) {
        return StateBatches.path(key);
    }

    private List<SmtUpdate> randomBatch(int size, int keySpace) {
        return StateBatches.randomBatch(random, size, keySpace);
    }

    /**
     * The next version of {@code target}'s chain computed apart from its store, as the executor does: a
     * tree over the committed nodes (read through a second node store on the same RocksDB) plus the
     * new version in memory, chained on {@code ancestors} (versions computed the same way, not committed).
     */
    private static PrecomputedVersion compute(ChainStore target, List<PrecomputedVersion> ancestors, List<SmtUpdate> updates) {
        InMemoryVersions store = new InMemoryVersions(new RocksDbNodeStore(target, 0, 1024), ancestors);
        SparseMerkleTree tree = new SparseMerkleTree(store);
        tree.apply(tree.latestVersion(), updates);
        return store.versions.getLast();
    }

    /** Committed nodes from RocksDB, versions above them in memory (as the executor's overlay). */
    private static final class InMemoryVersions implements NodeStore {
        final RocksDbNodeStore committed;
        final List<PrecomputedVersion> versions;

        InMemoryVersions(RocksDbNodeStore committed, List<PrecomputedVersion> ancestors) {
            this.committed = committed;
            this.versions = new ArrayList<>(ancestors);
        }

        @Override
        public SmtNode node(NodeKey key) {
            for (PrecomputedVersion version : versions) {
                SmtNode node = version.node(key);
                if (node != null) {
                    return node;
                }
            }
            return committed.node(key);
        }

        @Override
        public NodeKey root(long version) {
            for (PrecomputedVersion v : versions) {
                if (v.version() == version) {
                    return v.root();
                }
            }
            return committed.root(version);
        }

        @Override
        public long latestVersion() {
            return versions.isEmpty() ? committed.latestVersion() : versions.getLast().version();
        }

        @Override
        public long oldestRetainedVersion() {
            return committed.oldestRetainedVersion();
        }

        @Override
        public void commit(VersionCommit commit) {
            versions.add(new PrecomputedVersion(root(latestVersion()), commit));
        }

        @Override
        public long prune(long oldestRetained) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean memoisesChildren() {
            return false;
        }

        @Override
        public long nodeCount() {
            throw new UnsupportedOperationException();
        }
    }

    /** Commits the next block with the staged version certified by the staged root. */
    private static Block commitStaged(ChainStore target, StateStore targetState) throws CommitRejectedException {
        Hash32 root = targetState.tree().rootHash(targetState.latestVersion());
        Block block = nextBlock(target);
        targetState.commitBlock(block, ChainFixtures.certificate(block, root), ChainFixtures.receipts(block));
        return block;
    }

    private static Block nextBlock(ChainStore target) {
        long height = target.head().map(h -> h.height() + 1).orElse(0L);
        Hash32 parent = target.head().map(ChainStore.Head::blockId).orElse(Hash32.ZERO);
        return ChainFixtures.block(height, parent, 1, height * 1000, 0);
    }

    /** Commits {@code batch} to both stores: precomputed into the one, recomputed into the other. */
    private void commitBoth(List<SmtUpdate> batch) throws CommitRejectedException {
        assertThat(state.stagePrecomputed(compute(chain, List.of(), batch), batch)).isTrue();
        commitStagedAndRecompute(batch);
    }

    /** Commits the version staged in {@code state}, and {@code batch} on the recomputing store by its own tree update. */
    private void commitStagedAndRecompute(List<SmtUpdate> batch) throws CommitRejectedException {
        commitStaged(chain, state);
        ChainFixtures.commitWithState(recomputedChain, recomputed, batch, 1);
    }

    private void assertSameState(int keySpace) {
        long latest = recomputed.latestVersion();
        assertThat(state.latestVersion()).isEqualTo(latest);
        assertThat(state.nodeCount()).isEqualTo(recomputed.nodeCount());
        assertThat(staleEntries(chain)).isEqualTo(staleEntries(recomputedChain));
        for (long version = state.tree().oldestRetainedVersion(); version <= latest; version++) {
            Hash32 root = recomputed.tree().rootHash(version);
            assertThat(state.tree().rootHash(version)).isEqualTo(root);
            for (int key = 0; key < keySpace; key += 3) {
                Optional<Bytes> value = recomputed.valueAt(version, path(key));
                assertThat(state.valueAt(version, path(key))).isEqualTo(value);
                SmtProof proof = state.prove(version, path(key));
                assertThat(proof).isEqualTo(recomputed.prove(version, path(key)));
                assertThat(value.isPresent() ? SmtProof.verifyMembership(root, path(key), value.get().toByteArray(), proof)
                        : SmtProof.verifyNonMembership(root, path(key), proof)).isTrue();
            }
        }
        for (int key = 0; key < keySpace; key++) {
            assertThat(state.valueAtHead(path(key))).isEqualTo(recomputed.valueAtHead(path(key)));
        }
    }

    /** The stale node index, entry by entry (version → listed node keys). */
    private static List<String> staleEntries(ChainStore store) {
        List<String> entries = new ArrayList<>();
        store.scanState(StateDelta.Column.STALE, new byte[0], new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0}, (key, value) -> {
                    entries.add(java.util.HexFormat.of().formatHex(key) + "=" + java.util.HexFormat.of().formatHex(value));
                    return true;
                });
        return entries;
    }

    @Test
    void precomputedVersionsGiveTheStoredStateOfRecomputingThemAndPruneTheSame() throws Exception {
        for (int b = 0; b < 25; b++) {
            commitBoth(randomBatch(1 + random.nextInt(60), 400));
        }
        assertSameState(400);
        assertThat(staleEntries(chain)).hasSizeGreaterThan(10);

        long freed = state.prune(12);
        assertThat(freed).isPositive().isEqualTo(recomputed.prune(12));
        assertSameState(400);
        chain.close();
        chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 0, 1024);
        for (int b = 0; b < 5; b++) {
            commitBoth(randomBatch(1 + random.nextInt(60), 400));
        }
        assertSameState(400);
    }

    @Test
    void versionsComputedAheadOnUncommittedAncestorsAreTakenOneAfterTheOther() throws Exception {
        commitBoth(randomBatch(30, 200));
        List<List<SmtUpdate>> batches = List.of(randomBatch(20, 200), randomBatch(20, 200), randomBatch(20, 200));
        List<PrecomputedVersion> pipeline = new ArrayList<>();
        for (List<SmtUpdate> batch : batches) {
            pipeline.add(compute(chain, pipeline, batch));
        }
        for (int i = 0; i < batches.size(); i++) {
            assertThat(state.stagePrecomputed(pipeline.get(i), batches.get(i))).isTrue();
            commitStagedAndRecompute(batches.get(i));
        }
        assertSameState(200);
    }

    @Test
    void aVersionComputedOnAnotherBaseIsNotUsedAndTheStoreComputesItsOwn() throws Exception {
        commitBoth(randomBatch(30, 200));
        List<SmtUpdate> first = randomBatch(20, 200);
        List<SmtUpdate> second = randomBatch(20, 200);
        // computed on version 1, but version 2 is committed meanwhile: its base is no longer the latest
        PrecomputedVersion stale = compute(chain, List.of(), second);
        commitBoth(first);
        assertThat(state.stagePrecomputed(stale, second)).isFalse();
        commitStagedAndRecompute(second);
        assertSameState(200);

        // the right version number on another root (a different parent state) is not used either
        List<SmtUpdate> third = randomBatch(20, 200);
        PrecomputedVersion right = compute(chain, List.of(), third);
        PrecomputedVersion otherBase = new PrecomputedVersion(right.commit().root(), right.commit());
        assertThat(state.stagePrecomputed(otherBase, third)).isFalse();
        state.discardStaged();
        assertThat(state.stagePrecomputed(right, third)).isTrue();
        commitStagedAndRecompute(third);
        assertSameState(200);
    }

    @Test
    void aMalformedVersionOnTheRightBaseIsRefusedAndNothingIsStaged() throws Exception {
        commitBoth(randomBatch(30, 200));
        List<SmtUpdate> batch = randomBatch(20, 200);
        PrecomputedVersion good = compute(chain, List.of(), batch);
        VersionCommit commit = good.commit();
        // a root that is none of its new nodes
        VersionCommit wrongRoot = new VersionCommit(commit.version(), commit.staleNodes().getFirst(), commit.newNodes(),
                commit.staleNodes());
        assertThatThrownBy(() -> state.stagePrecomputed(new PrecomputedVersion(good.baseRoot(), wrongRoot), batch))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root");
        // a stale node that is not older than the version
        VersionCommit wrongStale = new VersionCommit(commit.version(), commit.root(), commit.newNodes(),
                List.of(commit.newNodes().getFirst().key()));
        assertThatThrownBy(() -> state.stagePrecomputed(new PrecomputedVersion(good.baseRoot(), wrongStale), batch))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not older");
        assertThat(state.latestVersion()).isEqualTo(1);
        assertThat(state.stagePrecomputed(good, batch)).as("nothing was left staged").isTrue();
        commitStagedAndRecompute(batch);
        assertSameState(200);
    }

    @Test
    void aPrecomputedVersionWhoseRootTheCertificateDoesNotNameWritesNothing() throws Exception {
        commitBoth(randomBatch(30, 200));
        long nodesBefore = state.nodeCount();
        List<String> staleBefore = staleEntries(chain);
        Hash32 rootBefore = state.tree().rootHash(1);
        List<SmtUpdate> batch = randomBatch(20, 200);
        PrecomputedVersion version = compute(chain, List.of(), batch);
        assertThat(state.stagePrecomputed(version, batch)).isTrue();
        Block block = nextBlock(chain);
        Hash32 wrongRoot = Hashing.sha256(version.root().hash().toByteArray());
        assertThatThrownBy(() -> state.commitBlock(block, ChainFixtures.certificate(block, wrongRoot), ChainFixtures.receipts(block)))
                .isInstanceOfSatisfying(CommitRejectedException.class, e -> assertThat(e.error())
                        .isEqualTo(new StorageError.StateRootMismatch(version.root().hash(), wrongRoot)));
        assertThat(chain.head().orElseThrow().height()).isZero();
        assertThat(state.latestVersion()).isEqualTo(1);
        assertThat(state.nodeCount()).isEqualTo(nodesBefore);
        assertThat(staleEntries(chain)).isEqualTo(staleBefore);
        for (SmtUpdate update : batch) {
            assertThat(state.valueAtHead(update.path())).isEqualTo(recomputed.valueAtHead(update.path()));
        }
        chain.close();
        chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 0, 1024);
        assertThat(state.tree().rootHash(1)).isEqualTo(rootBefore);
        assertThat(state.nodeCount()).isEqualTo(nodesBefore);
        commitBoth(batch);
        assertSameState(200);
    }
}
