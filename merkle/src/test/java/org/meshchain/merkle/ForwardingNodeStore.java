package org.meshchain.merkle;

/**
 * A {@link NodeStore} that forwards every call to an in-memory store. The tree only takes its arena
 * path on {@link InMemoryNodeStore} itself, so tests wrap one in this to run the object path over
 * the same nodes; {@code memoisesChildren} lets them play a store with a bounded cache.
 */
record ForwardingNodeStore(InMemoryNodeStore nodes, boolean memoisesChildren) implements NodeStore {

    ForwardingNodeStore(InMemoryNodeStore nodes) {
        this(nodes, true);
    }

    @Override
    public SmtNode node(NodeKey key) {
        return nodes.node(key);
    }

    @Override
    public NodeKey root(long version) {
        return nodes.root(version);
    }

    @Override
    public long latestVersion() {
        return nodes.latestVersion();
    }

    @Override
    public long oldestRetainedVersion() {
        return nodes.oldestRetainedVersion();
    }

    @Override
    public void commit(VersionCommit commit) {
        nodes.commit(commit);
    }

    @Override
    public long prune(long oldestRetained) {
        return nodes.prune(oldestRetained);
    }

    @Override
    public long nodeCount() {
        return nodes.nodeCount();
    }
}
