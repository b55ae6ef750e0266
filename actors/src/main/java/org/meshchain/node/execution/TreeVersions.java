package org.meshchain.node.execution;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.CommitResult;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;
import org.meshchain.persistence.state.PrecomputedVersion;

/**
 * Computes a block's state tree version in memory on top of its parent's (ADR 0057): the committed
 * tree, then each uncommitted ancestor's version (the one its result carries, or computed from its
 * updates when it carries none or one on another base), then the block's updates as one more version.
 * What the executor does for every block ({@link PreState}); public so that benchmarks measure the
 * same thing.
 */
public final class TreeVersions {

    private TreeVersions() {
    }

    /**
     * @param committed     the committed state the block executes on
     * @param uncommitted   the executed ancestors above the committed head, oldest first, consecutive, ending at the parent
     * @param updates       the block's own sorted updates
     * @param rootPool      if not null, subtrees below {@code forkDepth} are rebuilt in parallel on it (same result)
     * @return the block's version, state version {@code committed.stateVersion() + uncommitted.size() + 1}
     * @throws IllegalStateException if an ancestor's version does not have the ancestor's state root
     */
    public static PrecomputedVersion next(CommittedState.Snapshot committed, List<ExecutedBlock> uncommitted,
            List<SmtUpdate> updates, ForkJoinPool rootPool, int forkDepth) {
        OverlayNodeStore versions = new OverlayNodeStore(committed);
        SparseMerkleTree tree = new SparseMerkleTree(versions);
        for (ExecutedBlock ancestor : uncommitted) {
            PrecomputedVersion carried = ancestor.treeVersion();
            if (carried == null || !versions.push(carried)) {
                // e.g. executed before a restart, or its version was dropped: computed here, as the store would
                apply(tree, ancestor.stateUpdates(), rootPool, forkDepth);
            }
            Hash32 root = versions.top().root().hash();
            if (!root.equals(ancestor.stateRoot())) {
                throw new IllegalStateException("uncommitted ancestor " + ancestor.blockId() + " at height " + ancestor.height()
                        + " has state root " + ancestor.stateRoot() + " but its tree version has root " + root);
            }
        }
        apply(tree, updates, rootPool, forkDepth);
        PrecomputedVersion version = versions.top();
        // encoded here, on the executor's thread, so that the storage actor's commit only copies bytes (ADR 0072)
        version.encoded();
        return version;
    }

    private static CommitResult apply(SparseMerkleTree tree, List<SmtUpdate> updates, ForkJoinPool rootPool, int forkDepth) {
        return rootPool == null ? tree.apply(tree.latestVersion(), updates)
                : tree.applyInParallel(tree.latestVersion(), updates, rootPool, forkDepth);
    }
}
