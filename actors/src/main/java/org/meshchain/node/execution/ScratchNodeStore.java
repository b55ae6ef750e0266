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
 * root; nothing is ever written to disk, and the whole store is dropped afterwards. The executor only
 * needs the new root, so the computed version's nodes are indexed for lookup only when a node is first
 * read after the commit: indexing them eagerly was a serial pass over every new node at the end of each
 * block (ADR 0061).
 */
final class ScratchNodeStore implements NodeStore {

    private final CommittedState.Snapshot committed;
    private final long baseVersion;
    private VersionCommit scratch;
    /** The scratch version's nodes by key; null until a node is read after the commit. */
    private Map<NodeKey, SmtNode> scratchNodes;

    ScratchNodeStore(CommittedState.Snapshot committed) {
        this.committed = committed;
        this.baseVersion = committed.stateVersion();
    }

    @Override
    public SmtNode node(NodeKey key) {
        if (scratch == null) {
            return committed.node(key);
        }
        SmtNode node = scratchNodes().get(key);
        return node != null ? node : committed.node(key);
    }

    private Map<NodeKey, SmtNode> scratchNodes() {
        if (scratchNodes == null) {
            Map<NodeKey, SmtNode> byKey = HashMap.newHashMap(scratch.newNodes().size());
            for (SmtNode node : scratch.newNodes()) {
                byKey.put(node.key(), node);
            }
            scratchNodes = byKey;
        }
        return scratchNodes;
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
    }

    @Override
    public long prune(long oldestRetained) {
        throw new IllegalStateException("a scratch store holds one uncommitted version and is never pruned");
    }

    @Override
    public long nodeCount() {
        return scratch == null ? 0 : scratchNodes().size();
    }
}
