package org.meshchain.merkle;

/**
 * The port through which the tree reads and writes its versioned nodes. An in-memory
 * implementation lives here ({@link InMemoryNodeStore}); persistence/ backs it with RocksDB.
 *
 * <p>Model (Jellyfish-style): a node is written once under {@link NodeKey} (creation version, hash)
 * and never modified. Each version records its root and the keys of nodes it stopped using, in a
 * stale node index ordered by "stale since" version. A node stale since version {@code s} is not
 * reachable from any version {@code >= s}, so keeping versions {@code >= p} only needs nodes whose
 * stale-since version is {@code > p}: pruning is a scan of the index prefix {@code <= p}, with no
 * reference counting and no tree walk.
 *
 * <p>A RocksDB layout that fits: column family {@code state_nodes}: {@link NodeKey#toBytes()} →
 * {@link SmtNodeCodec#encode(SmtNode)}; {@code state_stale}: stale-since (8 bytes big-endian) →
 * the keys of the nodes that version made stale, concatenated (persistence/'s schema 3, ADR 0058);
 * {@code state_roots}: version (8 bytes big-endian) → root node key. One
 * {@link #commit} is one WriteBatch.
 *
 * <p>Contract: versions are committed consecutively from 0; reads of a pruned version or node
 * return {@code null}. Implementations need not be thread-safe (the tree is single-threaded).
 */
public interface NodeStore {

    /** The node stored under {@code key}, or {@code null} if there is none (never written, or pruned). */
    SmtNode node(NodeKey key);

    /** Root of {@code version} ({@link NodeKey#EMPTY} for the empty tree), or {@code null} if not retained. */
    NodeKey root(long version);

    /** The newest committed version, or -1 for a store that has never been committed to. */
    long latestVersion();

    /** The oldest version still readable. */
    long oldestRetainedVersion();

    /** Atomically adds version {@code commit.version()}, which must be {@code latestVersion() + 1}. */
    void commit(VersionCommit commit);

    /**
     * Forgets versions below {@code oldestRetained} and frees every node stale since a version
     * {@code <= oldestRetained}. Versions {@code >= oldestRetained} stay fully readable.
     *
     * @return the number of nodes freed
     */
    long prune(long oldestRetained);

    /**
     * Whether the tree may link loaded and created nodes to their children in memory (a memo that
     * saves store lookups). True for stores that hold every node on the heap anyway. A store with a
     * bounded cache must answer false: otherwise the root, always cached, would keep every node it
     * ever reached alive through those links and the cache bound would mean nothing.
     */
    default boolean memoisesChildren() {
        return true;
    }

    /** Number of nodes currently stored (for metrics and tests). */
    long nodeCount();
}
