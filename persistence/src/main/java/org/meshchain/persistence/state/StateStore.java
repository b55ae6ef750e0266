package org.meshchain.persistence.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.merkle.CommitResult;
import org.meshchain.merkle.SmtProof;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.chain.StateDelta;
import org.meshchain.persistence.chain.StorageError;

/**
 * The state tree on disk, committed together with blocks. State version {@code h + 1} is the state
 * after the block at height {@code h} (version 0 is the empty tree). Besides the versioned tree,
 * the latest value of every path is kept flat ({@code state_values}) so reads at the head need one
 * lookup instead of a walk down the tree.
 *
 * <p>Use: {@link #stage} the block's sorted updates, then {@link #commitBlock}; the staged version is
 * written in the block's batch, or dropped if the block is refused. Single writer.
 */
public final class StateStore {

    /** Most state versions pruned by one commit (the chain store's block pruning has the same bound). */
    static final int MAX_PRUNED_VERSIONS_PER_COMMIT = 1_000;

    private final ChainStore chain;
    private final RocksDbNodeStore nodes;
    private final SparseMerkleTree tree;
    private List<SmtUpdate> stagedUpdates = List.of();

    public StateStore(ChainStore chain, int nodeCacheEntries, int maxValueBytes) {
        this.chain = chain;
        this.nodes = new RocksDbNodeStore(chain, nodeCacheEntries, maxValueBytes);
        this.tree = new SparseMerkleTree(nodes);
        if (nodes.hasStaged()) {
            // a fresh store: the tree staged version 0 (the empty tree); it belongs to no block
            chain.writeState(nodes.takeStaged());
            nodes.stagedWritten();
        }
        long expected = chain.head().map(h -> h.height() + 1).orElse(0L);
        if (tree.latestVersion() != expected) {
            throw new IllegalStateException("state version " + tree.latestVersion() + " does not match the chain head (expected "
                    + expected + "): the store is inconsistent");
        }
    }

    public SparseMerkleTree tree() {
        return tree;
    }

    public long latestVersion() {
        return tree.latestVersion();
    }

    /** Applies the block's updates (sorted by path) on top of the latest version, without writing. */
    public CommitResult stage(List<SmtUpdate> updates) {
        if (nodes.hasStaged()) {
            throw new IllegalStateException("a state version is already staged");
        }
        CommitResult result = tree.apply(tree.latestVersion(), updates);
        stagedUpdates = List.copyOf(updates);
        return result;
    }

    /**
     * Commits the block with the staged state version in one synced batch. Refused (and the staged
     * version dropped) if the certificate's state root is not the staged root, or the chain store
     * refuses the block.
     */
    public ChainStore.Head commitBlock(Block block, QuorumCertificate certificate, List<Bytes> receipts)
            throws CommitRejectedException {
        if (!nodes.hasStaged()) {
            throw new IllegalStateException("stage the block's state updates before committing it");
        }
        long version = tree.latestVersion();
        try {
            if (version != block.header().height() + 1) {
                throw new CommitRejectedException(new StorageError.HeightMismatch(version - 1, block.header().height()));
            }
            Hash32 stagedRoot = tree.rootHash(version);
            if (!stagedRoot.equals(certificate.voteData().stateRoot())) {
                throw new CommitRejectedException(new StorageError.StateRootMismatch(stagedRoot,
                        certificate.voteData().stateRoot()));
            }
            List<StateDelta.Write> writes = new ArrayList<>(nodes.takeStaged().writes());
            for (SmtUpdate update : stagedUpdates) {
                writes.add(update.isDelete()
                        ? StateDelta.Write.delete(StateDelta.Column.VALUES, update.path().toByteArray())
                        : StateDelta.Write.put(StateDelta.Column.VALUES, update.path().toByteArray(),
                                update.value().toByteArray()));
            }
            ChainStore.Head head = chain.commitBlock(block, certificate, receipts, new StateDelta(writes));
            nodes.stagedWritten();
            if (chain.aboveHighWaterMark()) {
                pruneBeyondRetention(head);
            }
            return head;
        } catch (CommitRejectedException | RuntimeException e) {
            nodes.discardStaged();
            throw e;
        } finally {
            stagedUpdates = List.of();
        }
    }

    /** Drops a staged version whose block will not be committed. */
    public void discardStaged() {
        nodes.discardStaged();
        stagedUpdates = List.of();
    }

    /** The value at {@code path} at the head (one flat lookup). */
    public Optional<Bytes> valueAtHead(Hash32 path) {
        return chain.readState(StateDelta.Column.VALUES, path.toByteArray()).map(Bytes::of);
    }

    /** The value at {@code path} in a retained version (a walk down the tree). */
    public Optional<Bytes> valueAt(long version, Hash32 path) {
        return tree.get(version, path);
    }

    public SmtProof prove(long version, Hash32 path) {
        return tree.prove(version, path);
    }

    /** Number of stored tree nodes (a scan: for tests and occasional metrics). */
    public long nodeCount() {
        return nodes.nodeCount();
    }

    /**
     * Past the chain store's high-water mark: drops state versions older than the retention window,
     * as the chain store drops blocks. The versions kept are the pre-state of the oldest retained
     * block ({@code head - retention + 1}) up to the head's post-state, so every retained block can
     * be re-executed and proved. At most {@link #MAX_PRUNED_VERSIONS_PER_COMMIT} versions per commit,
     * so a store that crosses the mark late catches up without stalling one commit. Runs after the
     * block is durable: a failure here leaves the block committed and is reported as a
     * {@code StorageException}.
     */
    private void pruneBeyondRetention(ChainStore.Head head) {
        long keepFrom = head.height() - chain.config().retentionBlocks() + 1;
        long target = Math.min(keepFrom, tree.oldestRetainedVersion() + MAX_PRUNED_VERSIONS_PER_COMMIT);
        if (target > tree.oldestRetainedVersion()) {
            tree.prune(target);
        }
    }

    /** Frees state versions below {@code oldestRetained}; returns the number of nodes freed. */
    public long prune(long oldestRetained) {
        return tree.prune(oldestRetained);
    }
}
