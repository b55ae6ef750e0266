package org.meshchain.node.execution;

import java.util.HashMap;
import java.util.Map;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.NodeStore;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.VersionCommit;

/**
 * A throw-away {@link NodeStore}: the committed tree (read-only, through a snapshot) plus ONE version
 * computed on top of it in memory. The executor applies a block's merged updates here to get the state
 * root; nothing is ever written to disk, and the whole store is dropped afterwards.
 */
final class ScratchNodeStore implements NodeStore {

    private final CommittedState.Snapshot committed;
    private final long baseVersion;
    private VersionCommit scratch;
    private final Map<NodeKey, SmtNode> scratchNodes = new HashMap<>();

    ScratchNodeStore(CommittedState.Snapshot committed) {
        this.committed = committed;
        this.baseVersion = committed.stateVersion();
    }

    @Override
    public SmtNode node(NodeKey key) {
        SmtNode node = scratchNodes.get(key);
        return node != null ? node : committed.node(key);
    }

    @Override
    public NodeKey root(long version) {
        if (version == baseVersion) {
            return committed.root();
        }
        if (scratch != null && version == scratch.version()) {
            return scratch.root();
        }
        return null;
    }

    @Override
    public long latestVersion() {
        return scratch != null ? scratch.version() : baseVersion;
    }

    @Override
    public long oldestRetainedVersion() {
        return baseVersion;
    }

    @Override
    public void commit(VersionCommit commit) {
        if (scratch != null || commit.version() != baseVersion + 1) {
            throw new IllegalStateException("a scratch store takes exactly one version on top of " + baseVersion);
        }
        scratch = commit;
        for (SmtNode node : commit.newNodes()) {
            scratchNodes.put(node.key(), node);
        }
    }

    @Override
    public long prune(long oldestRetained) {
        throw new IllegalStateException("a scratch store holds one uncommitted version and is never pruned");
    }

    @Override
    public long nodeCount() {
        return scratchNodes.size();
    }
}
