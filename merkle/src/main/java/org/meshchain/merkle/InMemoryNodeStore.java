package org.meshchain.merkle;

import java.util.HashMap;
import java.util.List;

/**
 * {@link NodeStore} on the heap: nodes in one map per creation version (a commit fills a fresh,
 * cache-sized map instead of growing one huge table), per-version roots, and the stale node index
 * per version.
 */
public final class InMemoryNodeStore implements NodeStore {

    /** Creation version → the nodes created by that version that are still stored. */
    private final HashMap<Long, HashMap<NodeKey, SmtNode>> nodesByVersion = new HashMap<>();
    private long nodeCount;
    private final HashMap<Long, NodeKey> roots = new HashMap<>();
    /** Stale since version → keys of the nodes that version stopped using (retained versions only). */
    private final HashMap<Long, List<NodeKey>> staleIndex = new HashMap<>();
    private long oldestRetained;
    private long latest = -1;

    @Override
    public SmtNode node(NodeKey key) {
        HashMap<NodeKey, SmtNode> nodes = nodesByVersion.get(key.version());
        return nodes == null ? null : nodes.get(key);
    }

    @Override
    public NodeKey root(long version) {
        return roots.get(version);
    }

    @Override
    public long latestVersion() {
        return latest;
    }

    @Override
    public long oldestRetainedVersion() {
        return oldestRetained;
    }

    @Override
    public void commit(VersionCommit commit) {
        if (commit.version() != latest + 1) {
            throw new IllegalArgumentException("version " + commit.version() + " does not follow " + latest);
        }
        HashMap<NodeKey, SmtNode> nodes = HashMap.newHashMap(commit.newNodes().size());
        for (SmtNode node : commit.newNodes()) {
            if (node.key().version() != commit.version()) {
                throw new IllegalArgumentException("node " + node.key() + " is not keyed with version " + commit.version());
            }
            SmtNode previous = nodes.putIfAbsent(node.key(), node);
            if (previous != null) {
                throw new IllegalStateException("node " + node.key() + " written twice");
            }
        }
        if (!nodes.isEmpty()) {
            nodesByVersion.put(commit.version(), nodes);
        }
        nodeCount += nodes.size();
        roots.put(commit.version(), commit.root());
        staleIndex.put(commit.version(), commit.staleNodes());
        latest = commit.version();
    }

    @Override
    public long prune(long oldestRetained) {
        if (oldestRetained > latest) {
            throw new IllegalArgumentException("cannot prune past the latest version " + latest);
        }
        long freed = 0;
        while (this.oldestRetained < oldestRetained) {
            roots.remove(this.oldestRetained);
            staleIndex.remove(this.oldestRetained);
            this.oldestRetained++;
            // What the new oldest version stopped using is unreachable from it and from every later version.
            List<NodeKey> staleSinceOldest = staleIndex.put(this.oldestRetained, List.of());
            for (NodeKey key : staleSinceOldest) {
                HashMap<NodeKey, SmtNode> nodes = nodesByVersion.get(key.version());
                if (nodes != null && nodes.remove(key) != null) {
                    freed++;
                    if (nodes.isEmpty()) {
                        nodesByVersion.remove(key.version());
                    }
                }
            }
        }
        nodeCount -= freed;
        return freed;
    }

    @Override
    public long nodeCount() {
        return nodeCount;
    }
}
