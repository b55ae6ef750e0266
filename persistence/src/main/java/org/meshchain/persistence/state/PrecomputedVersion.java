package org.meshchain.persistence.state;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.VersionCommit;
import org.meshchain.persistence.chain.StateDelta;

/**
 * One state tree version computed in memory before its block is committed (ADR 0057): the
 * {@link VersionCommit} (new nodes, stale nodes, root of {@code version}) and the root of the version
 * it was computed on ({@code version - 1}). The executor builds one per block on top of its parent's;
 * {@link StateStore#stagePrecomputed} writes it instead of recomputing the tree, if its base is the
 * store's latest version.
 *
 * <p>Immutable once built and safe to share between threads: the node index is built on first use
 * (under a lock, once) and read without one afterwards. The nodes must not be linked to their
 * children in memory (built by a tree over a store that does not memoise children), or holding a
 * version would keep arbitrary decoded subtrees alive.
 */
public final class PrecomputedVersion {

    private final NodeKey baseRoot;
    private final VersionCommit commit;
    /** The new nodes by key; built on the first {@link #node} call. */
    private volatile Map<NodeKey, SmtNode> index;
    /** The version's stored bytes; built on the first {@link #encoded} call. */
    private volatile EncodedVersion encoded;

    public PrecomputedVersion(NodeKey baseRoot, VersionCommit commit) {
        this.baseRoot = Objects.requireNonNull(baseRoot, "baseRoot");
        this.commit = Objects.requireNonNull(commit, "commit");
    }

    /** The version this is: {@code baseVersion() + 1}. */
    public long version() {
        return commit.version();
    }

    public long baseVersion() {
        return commit.version() - 1;
    }

    /** Root of the base version ({@link NodeKey#EMPTY} for the empty tree, and for version 0, which has no base). */
    public NodeKey baseRoot() {
        return baseRoot;
    }

    public NodeKey root() {
        return commit.root();
    }

    public VersionCommit commit() {
        return commit;
    }

    /** The node created by this version under {@code key}, or null if it did not create one. */
    public SmtNode node(NodeKey key) {
        if (key.version() != commit.version()) {
            return null;
        }
        Map<NodeKey, SmtNode> byKey = index;
        if (byKey == null) {
            byKey = buildIndex();
        }
        return byKey.get(key);
    }

    /**
     * The version's writes in their stored bytes (nodes in key order, stale-index entry, root), built
     * on the first call and kept. The executor calls it right after computing the version (ADR 0072),
     * so the committing thread finds them ready; ~1.5 MB for a block of 1,000 transfers over 1M accounts.
     */
    public StateDelta.Encoded encoded() {
        EncodedVersion bytes = encoded;
        if (bytes == null) {
            bytes = buildEncoded();
        }
        return bytes;
    }

    private synchronized EncodedVersion buildEncoded() {
        if (encoded == null) {
            encoded = new EncodedVersion(commit);
        }
        return encoded;
    }

    private synchronized Map<NodeKey, SmtNode> buildIndex() {
        if (index == null) {
            Map<NodeKey, SmtNode> byKey = HashMap.newHashMap(commit.newNodes().size());
            for (SmtNode node : commit.newNodes()) {
                byKey.put(node.key(), node);
            }
            index = byKey;
        }
        return index;
    }

    @Override
    public String toString() {
        return "PrecomputedVersion[v" + commit.version() + ", root " + commit.root() + ", base root " + baseRoot + ", "
                + commit.newNodes().size() + " new, " + commit.staleNodes().size() + " stale]";
    }
}
