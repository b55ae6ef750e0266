package org.meshchain.persistence.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.InMemoryNodeStore;
import org.meshchain.merkle.SmtProof;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.persistence.chain.ChainFixtures;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.chain.StorageError;

/** The state tree on RocksDB behaves exactly as merkle/'s in-memory reference, survives reopening, prunes. */
class StateStoreTest {

    @TempDir
    Path dir;

    private ChainStore chain;
    private StateStore state;
    private final SparseMerkleTree reference = new SparseMerkleTree(new InMemoryNodeStore());
    private final Random random = new Random(11);

    @BeforeEach
    void open() {
        chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 10_000, 1024);
    }

    @AfterEach
    void close() {
        chain.close();
    }

    private void reopen(int cacheEntries) {
        chain.close();
        chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        state = new StateStore(chain, cacheEntries, 1024);
    }

    private static Hash32 path(int key) {
        return StateBatches.path(key);
    }

    private List<SmtUpdate> randomBatch(int size, int keySpace) {
        return StateBatches.randomBatch(random, size, keySpace);
    }

    /** Stages the batch, commits it with the next block certified with the staged root; returns the block. */
    private Block commit(List<SmtUpdate> batch) throws CommitRejectedException {
        reference.apply(reference.latestVersion(), batch);
        return ChainFixtures.commitWithState(chain, state, batch, 1);
    }

    @Test
    void matchesTheInMemoryReferenceAcrossVersionsAndAReopen() throws Exception {
        for (int b = 0; b < 30; b++) {
            commit(randomBatch(1 + random.nextInt(40), 300));
        }
        reopen(0); // no cache: every node comes from RocksDB
        for (int b = 0; b < 10; b++) {
            commit(randomBatch(1 + random.nextInt(40), 300));
        }
        assertThat(state.latestVersion()).isEqualTo(40).isEqualTo(reference.latestVersion());
        for (long version = 0; version <= 40; version++) {
            assertThat(state.tree().rootHash(version)).isEqualTo(reference.rootHash(version));
        }
        Hash32 headRoot = state.tree().rootHash(40);
        for (int key = 0; key < 300; key++) {
            Hash32 p = path(key);
            Optional<Bytes> expected = reference.get(40, p);
            assertThat(state.valueAtHead(p)).isEqualTo(expected);
            assertThat(state.valueAt(40, p)).isEqualTo(expected);
            SmtProof proof = state.prove(40, p);
            if (expected.isPresent()) {
                assertThat(SmtProof.verifyMembership(headRoot, p, expected.get().toByteArray(), proof)).isTrue();
            } else {
                assertThat(SmtProof.verifyNonMembership(headRoot, p, proof)).isTrue();
            }
        }
    }

    @Test
    void aBlockWhoseCertifiedRootDiffersIsRefusedAndItsStateDropped() throws Exception {
        commit(randomBatch(10, 100));
        Hash32 rootBefore = state.tree().rootHash(1);
        Hash32 staged = state.stage(randomBatch(10, 100)).root();
        Block block = ChainFixtures.block(1, chain.head().orElseThrow().blockId(), 1, 10, 0);
        Hash32 wrongRoot = Hashing.sha256(staged.toByteArray());
        assertThatThrownBy(() -> state.commitBlock(block, ChainFixtures.certificate(block, wrongRoot),
                ChainFixtures.receipts(block)))
                .isInstanceOfSatisfying(CommitRejectedException.class,
                        e -> assertThat(e.error()).isEqualTo(new StorageError.StateRootMismatch(staged, wrongRoot)));
        assertThat(state.latestVersion()).isEqualTo(1);
        assertThat(state.tree().rootHash(1)).isEqualTo(rootBefore);
        assertThat(chain.head().orElseThrow().height()).isZero();
        reopen(100);
        assertThat(state.latestVersion()).isEqualTo(1);
        commit(randomBatch(5, 100));
        assertThat(state.tree().rootHash(2)).isEqualTo(reference.rootHash(2));
    }

    @Test
    void pruningFreesNodesOfOldVersionsAndKeepsRetainedOnesProvable() throws Exception {
        for (int b = 0; b < 20; b++) {
            commit(randomBatch(30, 200));
        }
        SparseMerkleTree tree = state.tree();
        long before = state.nodeCount();
        long freed = state.prune(15);
        reference.prune(15);
        long after = state.nodeCount();
        assertThat(freed).isPositive();
        assertThat(after).isEqualTo(before - freed);
        assertThatThrownBy(() -> tree.rootHash(14)).hasMessageContaining("not retained");
        reopen(0);
        assertThat(state.tree().oldestRetainedVersion()).isEqualTo(15);
        for (long version = 15; version <= 20; version++) {
            Hash32 root = state.tree().rootHash(version);
            assertThat(root).isEqualTo(reference.rootHash(version));
            for (int key = 0; key < 200; key += 7) {
                Optional<Bytes> value = reference.get(version, path(key));
                assertThat(state.valueAt(version, path(key))).isEqualTo(value);
                SmtProof proof = state.prove(version, path(key));
                assertThat(value.isPresent() ? SmtProof.verifyMembership(root, path(key), value.get().toByteArray(), proof)
                        : SmtProof.verifyNonMembership(root, path(key), proof)).isTrue();
            }
        }
    }

    @Test
    void pastTheHighWaterMarkOldStateVersionsArePrunedAndAtTheQuotaNothingIsWritten() throws Exception {
        chain.close();
        long retention = 3;
        // a 32 MiB quota, pruning from 2% of it; every block adds 100 new keys, so the store grows to the limit
        ChainStoreConfig quota = new ChainStoreConfig(32L << 20, 0.02, retention, 16 << 20, 8L << 20);
        chain = ChainStore.open(dir, quota, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 1_000, 1024);
        int nextKey = 0;
        CommitRejectedException refused = null;
        long firstPrunedAt = -1;
        for (int b = 0; b < 2_000 && refused == null; b++) {
            TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
            for (int i = 0; i < 100; i++, nextKey++) {
                byte[] value = new byte[100];
                random.nextBytes(value);
                batch.put(path(nextKey), SmtUpdate.put(path(nextKey), Bytes.of(value)));
            }
            List<SmtUpdate> updates = new ArrayList<>(batch.values());
            try {
                ChainFixtures.commitWithState(chain, state, updates, 1);
                reference.apply(reference.latestVersion(), updates);
            } catch (CommitRejectedException e) {
                refused = e;
                nextKey -= 100;
            }
            if (firstPrunedAt < 0 && state.tree().oldestRetainedVersion() > 0) {
                firstPrunedAt = b;
            }
        }
        assertThat(firstPrunedAt).as("state versions pruned once past the high-water mark").isPositive();
        assertThat(chain.prunedBelow()).as("blocks pruned too").isPositive();
        assertThat(refused).as("a 4 MiB quota is reached").isNotNull();
        assertThat(refused.error()).isInstanceOf(StorageError.QuotaExceeded.class);
        assertThat(refused).hasMessageContaining("quota");

        // nothing of the refused block was written: head, state version and flat values are as before
        long headHeight = chain.head().orElseThrow().height();
        long latest = state.latestVersion();
        assertThat(latest).isEqualTo(headHeight + 1).isEqualTo(reference.latestVersion());
        assertThat(state.valueAtHead(path(nextKey))).isEmpty();
        assertThat(chain.blockAt(headHeight + 1)).isEmpty();

        // versions older than the retention window are gone; the retained ones read and prove
        long oldest = state.tree().oldestRetainedVersion();
        assertThat(oldest).isEqualTo(headHeight - retention + 1);
        assertThatThrownBy(() -> state.valueAt(oldest - 1, path(0))).hasMessageContaining("not retained");
        chain.close();
        chain = ChainStore.open(dir, quota, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 0, 1024);
        assertThat(state.tree().oldestRetainedVersion()).isEqualTo(oldest);
        for (long version = oldest; version <= latest; version++) {
            Hash32 root = state.tree().rootHash(version);
            assertThat(root).isEqualTo(reference.rootHash(version));
            for (int key = 0; key < nextKey; key += 97) {
                Optional<Bytes> value = reference.get(version, path(key));
                assertThat(state.valueAt(version, path(key))).isEqualTo(value);
                SmtProof proof = state.prove(version, path(key));
                assertThat(value.isPresent() ? SmtProof.verifyMembership(root, path(key), value.get().toByteArray(), proof)
                        : SmtProof.verifyNonMembership(root, path(key), proof)).isTrue();
            }
        }
        assertThat(state.valueAtHead(path(nextKey - 1))).isEqualTo(reference.get(latest, path(nextKey - 1)));
    }
}
