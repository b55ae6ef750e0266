package org.meshchain.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link NodeStore} on the heap. The nodes created by one version live in that version's own
 * open-addressing table (linear probing, backward-shift deletion, no tombstones) with a parallel
 * array of 64-bit fingerprints taken from the node hash: a probe compares primitives and touches a
 * node only on a fingerprint match, and nothing is boxed. One table per creation version, found by
 * index, because a commit then fills a fresh, cache-sized table in the young generation instead of
 * scattering references to young nodes over one huge old table (which the garbage collector would
 * have to rescan card by card after every batch). Roots and the stale node index are array lists
 * indexed by {@code version - oldestRetained}.
 */
public final class InMemoryNodeStore implements NodeStore {

    /** Creation version → its table, or null once every node it created has been freed. */
    private final ArrayList<VersionTable> tables = new ArrayList<>();
    private long nodeCount;
    /** Roots of versions {@code oldestRetained..latest}, oldest first. */
    private final ArrayList<NodeKey> roots = new ArrayList<>();
    /** Stale node keys by stale-since version, same indexing as {@link #roots}. */
    private final ArrayList<List<NodeKey>> staleIndex = new ArrayList<>();
    private long oldestRetained;
    private long latest = -1;

    @Override
    public SmtNode node(NodeKey key) {
        VersionTable table = table(key.version());
        return table == null ? null : table.get(key);
    }

    @Override
    public NodeKey root(long version) {
        if (version < oldestRetained || version > latest) {
            return null;
        }
        return roots.get((int) (version - oldestRetained));
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
        if (commit.version() >= Integer.MAX_VALUE) {
            throw new IllegalStateException("in-memory node store holds at most " + Integer.MAX_VALUE + " versions");
        }
        VersionTable table = new VersionTable(commit.newNodes().size());
        for (SmtNode node : commit.newNodes()) {
            if (node.key().version() != commit.version()) {
                throw new IllegalArgumentException("node " + node.key() + " is not keyed with version " + commit.version());
            }
            table.insert(node);
        }
        tables.add(table.size == 0 ? null : table);
        nodeCount += table.size;
        roots.add(commit.root());
        staleIndex.add(commit.staleNodes());
        latest = commit.version();
    }

    @Override
    public long prune(long oldestRetained) {
        if (oldestRetained > latest) {
            throw new IllegalArgumentException("cannot prune past the latest version " + latest);
        }
        if (oldestRetained <= this.oldestRetained) {
            return 0;
        }
        int drop = (int) (oldestRetained - this.oldestRetained);
        long freed = 0;
        // What versions oldestRetained and below stopped using is unreachable from every retained version.
        for (int i = 1; i <= drop; i++) {
            for (NodeKey key : staleIndex.get(i)) {
                VersionTable table = table(key.version());
                if (table != null && table.remove(key)) {
                    freed++;
                    if (table.size == 0) {
                        tables.set((int) key.version(), null);
                    } else {
                        table.shrinkIfSparse();
                    }
                }
            }
            staleIndex.set(i, List.of());
        }
        roots.subList(0, drop).clear();
        staleIndex.subList(0, drop).clear();
        this.oldestRetained = oldestRetained;
        nodeCount -= freed;
        return freed;
    }

    @Override
    public long nodeCount() {
        return nodeCount;
    }

    private VersionTable table(long version) {
        return version >= 0 && version < tables.size() ? tables.get((int) version) : null;
    }

    /**
     * The nodes of one creation version; sized at load factor at most 1/2 and never grown. Most of a
     * version's nodes are freed within a few versions while a few (leaves nobody touches) live on for
     * long, so a table shrinks when it is mostly empty: memory follows the live nodes, not the
     * number of versions ever committed.
     */
    private static final class VersionTable {

        SmtNode[] nodes;
        /** Fingerprint of the node in the same slot; 0 marks an empty slot. */
        long[] fingerprints;
        int mask;
        int size;

        VersionTable(int expected) {
            allocate(expected);
        }

        private void allocate(int expected) {
            int capacity = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) << 1;
            nodes = new SmtNode[capacity];
            fingerprints = new long[capacity];
            mask = capacity - 1;
        }

        void shrinkIfSparse() {
            if (nodes.length <= 16 || size * 8 > nodes.length) {
                return;
            }
            SmtNode[] oldNodes = nodes;
            long[] oldFingerprints = fingerprints;
            allocate(size);
            size = 0;
            for (int i = 0; i < oldNodes.length; i++) {
                if (oldFingerprints[i] != 0) {
                    int slot = slotOf(oldFingerprints[i]);
                    while (fingerprints[slot] != 0) {
                        slot = (slot + 1) & mask;
                    }
                    fingerprints[slot] = oldFingerprints[i];
                    nodes[slot] = oldNodes[i];
                    size++;
                }
            }
        }

        SmtNode get(NodeKey key) {
            long fingerprint = fingerprint(key);
            for (int slot = slotOf(fingerprint); fingerprints[slot] != 0; slot = (slot + 1) & mask) {
                if (fingerprints[slot] == fingerprint && sameKey(nodes[slot].key(), key)) {
                    return nodes[slot];
                }
            }
            return null;
        }

        void insert(SmtNode node) {
            NodeKey key = node.key();
            long fingerprint = fingerprint(key);
            int slot = slotOf(fingerprint);
            while (fingerprints[slot] != 0) {
                if (fingerprints[slot] == fingerprint && sameKey(nodes[slot].key(), key)) {
                    throw new IllegalStateException("node " + key + " written twice");
                }
                slot = (slot + 1) & mask;
            }
            fingerprints[slot] = fingerprint;
            nodes[slot] = node;
            size++;
        }

        boolean remove(NodeKey key) {
            long fingerprint = fingerprint(key);
            int slot = slotOf(fingerprint);
            while (true) {
                if (fingerprints[slot] == 0) {
                    return false;
                }
                if (fingerprints[slot] == fingerprint && sameKey(nodes[slot].key(), key)) {
                    break;
                }
                slot = (slot + 1) & mask;
            }
            // Backward-shift deletion: move later entries of the probe run into the hole unless their
            // home slot lies cyclically in (hole, current], so every lookup still finds them.
            int hole = slot;
            int current = slot;
            while (true) {
                current = (current + 1) & mask;
                if (fingerprints[current] == 0) {
                    break;
                }
                int home = slotOf(fingerprints[current]);
                boolean homeBetween = hole <= current ? (home > hole && home <= current) : (home > hole || home <= current);
                if (!homeBetween) {
                    fingerprints[hole] = fingerprints[current];
                    nodes[hole] = nodes[current];
                    hole = current;
                }
            }
            fingerprints[hole] = 0;
            nodes[hole] = null;
            size--;
            return true;
        }

        private int slotOf(long fingerprint) {
            return (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
        }
    }

    private static boolean sameKey(NodeKey stored, NodeKey wanted) {
        return stored == wanted || stored.equals(wanted);
    }

    /** Non-zero 64-bit fingerprint from the node's hash (uniform digest bytes). */
    private static long fingerprint(NodeKey key) {
        long fingerprint = key.hashPrefix();
        return fingerprint == 0 ? 1 : fingerprint;
    }
}
