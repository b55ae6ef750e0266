package org.meshchain.persistence.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.merkle.CommitResult;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtProof;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.merkle.VersionCommit;
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
 * <p>Use: {@link #stage} the block's sorted updates (or {@link #stagePrecomputed} the version the
 * executor already computed), then {@link #commitBlock}; the staged version is written in the block's
 * batch, or dropped if the block is refused. Single writer.
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
     * Stages {@code version}, computed in memory on top of this store's latest version (the executor
     * does, ADR 0057), instead of recomputing the tree; {@code updates} are the block's sorted updates
     * it was computed from, written as the flat values. Used only if its base is this store's latest
     * version: same version number and same root. Otherwise (none, or computed on another base) the
     * version is ignored and {@link #stage}{@code (updates)} computes it here.
     *
     * <p>Checked here, because it is cheap: the base, that every new node carries the new version,
     * that every stale node is older, and that the root is one of the new nodes (or an older node
     * when there are none). Not re-checked: that the nodes hash as keyed and that they are exactly the
     * update of the base by {@code updates}; that would read and hash the same nodes again, the very
     * cost this avoids. They come from this node's own executor, and {@link #commitBlock} still refuses the
     * block unless the version's root is the root its certificate names (2f+1 validators computed it).
     *
     * @return true if {@code version} was staged, false if it was recomputed from {@code updates}
     * @throws IllegalArgumentException if the version is on the right base but malformed (nothing staged)
     */
    public boolean stagePrecomputed(PrecomputedVersion version, List<SmtUpdate> updates) {
        if (nodes.hasStaged()) {
            throw new IllegalStateException("a state version is already staged");
        }
        long latest = tree.latestVersion();
        if (version == null || version.baseVersion() != latest || !version.baseRoot().equals(nodes.latestRoot())) {
            stage(updates);
            return false;
        }
        checkShape(version);
        nodes.stagePrecomputed(version);
        stagedUpdates = List.copyOf(updates);
        return true;
    }

    private static void checkShape(PrecomputedVersion version) {
        VersionCommit commit = version.commit();
        long v = commit.version();
        boolean rootIsNew = false;
        for (SmtNode node : commit.newNodes()) {
            if (node.key().version() != v) {
                throw new IllegalArgumentException("precomputed version " + v + " has node " + node.key() + " of another version");
            }
            rootIsNew |= node.key().equals(commit.root());
        }
        for (NodeKey stale : commit.staleNodes()) {
            if (stale.version() >= v) {
                throw new IllegalArgumentException("precomputed version " + v + " makes node " + stale + " stale, which is not older");
            }
        }
        // a version that creates nodes has one of them as its root (the tree creates no unreachable
        // node); one that creates none has an older node as its root (unchanged, or collapsed to a
        // surviving leaf) or the empty tree
        boolean consistent = commit.newNodes().isEmpty() ? commit.root().version() < v || commit.root().isEmpty() : rootIsNew;
        if (!consistent) {
            throw new IllegalArgumentException("precomputed version " + v + " with " + commit.newNodes().size()
                    + " new nodes has root " + commit.root());
        }
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
            // the tree's nodes, stale entry and root encoded straight into the batch, then the flat values
            // (sorted by path, so in the chain store's write order: it does not sort them)
            List<StateDelta.Write> writes = new ArrayList<>(stagedUpdates.size());
            for (SmtUpdate update : stagedUpdates) {
                writes.add(update.isDelete()
                        ? StateDelta.Write.delete(StateDelta.Column.VALUES, update.path().toByteArray())
                        : StateDelta.Write.put(StateDelta.Column.VALUES, update.path().toByteArray(),
                                update.value().toByteArray()));
            }
            ChainStore.Head head = chain.commitBlock(block, certificate, receipts, new StateDelta(writes, nodes.stagedEncoded()));
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
