package org.meshchain.persistence.state;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.NodeStore;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtNodeCodec;
import org.meshchain.merkle.VersionCommit;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.CorruptionException;
import org.meshchain.persistence.chain.StateDelta;

/**
 * merkle/'s {@link NodeStore} port on the chain store's RocksDB. A {@link #commit} is STAGED, not
 * written: the caller takes it with {@link #stagedEncoded()} (or, outside a block, {@link #takeStaged()})
 * and hands it to {@link ChainStore#commitBlock} so the new state version becomes durable in the same
 * batch as its block, then confirms with {@link #stagedWritten()} (or drops it with {@link #discardStaged()} when
 * the block was refused). Reads see the staged version, so the tree can compute and prove it before
 * it is durable.
 *
 * <p>A version can also be staged ready-made ({@link #stagePrecomputed}): computed in memory by the
 * executor on top of the latest version (ADR 0057). It is written the same way; its nodes are not
 * copied into the cache (they are in the memtable, and this store's tree no longer computes the next
 * version from them).
 *
 * <p>Layout (schema 3, ADR 0058): {@code state_nodes}: node key → encoded node; {@code state_stale}:
 * stale-since version (8, big-endian) → the node keys it made stale, concatenated (40 bytes each; no
 * entry for a version that made none stale); {@code state_roots}: version (8) → root node key.
 * Decoded nodes are kept in a bounded LRU cache (nodes never change once written).
 */
public final class RocksDbNodeStore implements NodeStore {


    private final ChainStore store;
    private final int maxValueBytes;
    private final Map<NodeKey, SmtNode> cache;
    private long latest;
    private long oldestRetained;
    /** The staged version, not yet durable, or null; its node index is built only if a node is read. */
    private PrecomputedVersion staged;
    /** Whether the staged version's nodes go into the cache once written (the tree computed them here). */
    private boolean cacheStagedNodes;

    public RocksDbNodeStore(ChainStore store, int cacheEntries, int maxValueBytes) {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("state.node-cache-entries = " + cacheEntries + ": must not be negative");
        }
        this.store = store;
        this.maxValueBytes = maxValueBytes;
        this.cache = new LinkedHashMap<>(Math.min(cacheEntries, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<NodeKey, SmtNode> eldest) {
                return size() > cacheEntries;
            }
        };
        byte[] end = versionKey(Long.MAX_VALUE);
        this.latest = store.lastStateBefore(StateDelta.Column.ROOTS, end)
                .map(entry -> ByteBuffer.wrap(entry[0]).getLong()).orElse(-1L);
        long[] first = {latest < 0 ? 0 : -1};
        if (latest >= 0) {
            store.scanState(StateDelta.Column.ROOTS, versionKey(0), end, (key, value) -> {
                first[0] = ByteBuffer.wrap(key).getLong();
                return false;
            });
        }
        this.oldestRetained = first[0];
    }

    static byte[] versionKey(long version) {
        return ByteBuffer.allocate(8).putLong(version).array();
    }

    @Override
    public SmtNode node(NodeKey key) {
        SmtNode node = staged == null ? null : staged.node(key);
        if (node != null) {
            return node;
        }
        node = cache.get(key);
        if (node != null) {
            return node;
        }
        Optional<byte[]> stored = store.readState(StateDelta.Column.NODES, key.toBytes());
        if (stored.isEmpty()) {
            return null;
        }
        try {
            node = SmtNodeCodec.decode(key, stored.get(), maxValueBytes);
        } catch (DecodeException e) {
            throw new CorruptionException(key.version(), "state node " + key + " does not decode: " + e.getMessage());
        }
        cache.put(key, node);
        return node;
    }

    @Override
    public NodeKey root(long version) {
        if (staged != null && staged.version() == version) {
            return staged.root();
        }
        if (version < oldestRetained || version > latest) {
            return null;
        }
        return store.readState(StateDelta.Column.ROOTS, versionKey(version)).map(this::rootKey).orElse(null);
    }

    private NodeKey rootKey(byte[] stored) {
        return stored.length == 0 ? NodeKey.EMPTY : NodeKey.fromBytes(stored);
    }

    @Override
    public long latestVersion() {
        return staged != null ? staged.version() : latest;
    }

    @Override
    public long oldestRetainedVersion() {
        return oldestRetained;
    }

    @Override
    public void commit(VersionCommit commit) {
        checkNext(commit);
        for (SmtNode node : commit.newNodes()) {
            if (node.key().version() != commit.version()) {
                throw new IllegalArgumentException("node " + node.key() + " is not keyed with version " + commit.version());
            }
        }
        staged = new PrecomputedVersion(latest < 0 ? NodeKey.EMPTY : root(latest), commit);
        cacheStagedNodes = true;
    }

    /**
     * Stages a version computed elsewhere on top of the latest one. The caller has checked it (see
     * {@link StateStore#stagePrecomputed}); here only its version number is.
     */
    void stagePrecomputed(PrecomputedVersion version) {
        checkNext(version.commit());
        staged = version;
        cacheStagedNodes = false;
    }

    private void checkNext(VersionCommit commit) {
        if (staged != null) {
            throw new IllegalStateException("version " + staged.version() + " is staged and not yet written");
        }
        if (commit.version() != latest + 1) {
            throw new IllegalArgumentException("version " + commit.version() + " does not follow " + latest);
        }
    }

    /** Root of the latest durable version (the base of the next one). */
    NodeKey latestRoot() {
        NodeKey root = root(latest);
        if (root == null) {
            throw new IllegalStateException("the latest state version " + latest + " has no root: the store is inconsistent");
        }
        return root;
    }

    /** No in-memory child links: memory stays within the LRU cache bound plus the staged version. */
    @Override
    public boolean memoisesChildren() {
        return false;
    }

    /** Whether a version is staged and waiting to be written with its block. */
    public boolean hasStaged() {
        return staged != null;
    }

    /** The staged version as state writes (copied out of {@link #stagedEncoded()}: for the rare writes outside a block). */
    public StateDelta takeStaged() {
        List<StateDelta.Write> writes = new ArrayList<>();
        stagedEncoded().writeTo((column, key, keyOffset, keyLength, value, valueOffset, valueLength) -> writes.add(
                StateDelta.Write.put(column, java.util.Arrays.copyOfRange(key, keyOffset, keyOffset + keyLength),
                        java.util.Arrays.copyOfRange(value, valueOffset, valueOffset + valueLength))));
        return new StateDelta(writes);
    }

    /**
     * The staged version's writes for {@link ChainStore#commitBlock} (ADR 0058): the new nodes in key
     * order (they share the version prefix, so in hash order, and the memtable receives them in order),
     * then the version's one stale-index entry, then its root. Encoded once per version, normally by
     * the executor that computed it ({@link PrecomputedVersion#encoded}, ADR 0072), so the committing
     * thread only copies bytes. Valid until the staged version is written or dropped.
     */
    public StateDelta.Encoded stagedEncoded() {
        if (staged == null) {
            throw new IllegalStateException("no staged state version");
        }
        return staged.encoded();
    }

    /** The staged version was written (with its block): it becomes the latest durable version. */
    public void stagedWritten() {
        if (staged == null) {
            throw new IllegalStateException("no staged state version");
        }
        latest = staged.version();
        if (cacheStagedNodes) {
            for (SmtNode node : staged.commit().newNodes()) {
                cache.put(node.key(), node);
            }
        }
        staged = null;
    }

    /** The block was refused: forget the staged version. */
    public void discardStaged() {
        staged = null;
    }

    @Override
    public long prune(long oldestRetained) {
        if (staged != null) {
            throw new IllegalStateException("cannot prune while version " + staged.version() + " is staged");
        }
        if (oldestRetained > latest) {
            throw new IllegalArgumentException("cannot prune past the latest version " + latest);
        }
        if (oldestRetained <= this.oldestRetained) {
            return 0;
        }
        // nodes stale since a version <= oldestRetained are unreachable from every retained version
        List<StateDelta.Write> writes = new ArrayList<>();
        long[] freed = {0};
        // entries stale since <= this.oldestRetained went with the previous prune: starting after them
        // keeps the scan from wading through their deletion tombstones every time
        store.scanState(StateDelta.Column.STALE, versionKey(this.oldestRetained + 1), versionKey(oldestRetained + 1), (key, value) -> {
            if (key.length != 8 || value.length % NodeKey.ENCODED_LENGTH != 0) {
                throw new CorruptionException(key.length >= 8 ? ByteBuffer.wrap(key).getLong() : -1, "stale node index entry of " + key.length
                        + "-byte key and " + value.length + "-byte value is not a version and a list of node keys");
            }
            for (int offset = 0; offset < value.length; offset += NodeKey.ENCODED_LENGTH) {
                byte[] nodeKey = java.util.Arrays.copyOfRange(value, offset, offset + NodeKey.ENCODED_LENGTH);
                writes.add(StateDelta.Write.delete(StateDelta.Column.NODES, nodeKey));
                cache.remove(NodeKey.fromBytes(nodeKey));
                freed[0]++;
            }
            writes.add(StateDelta.Write.delete(StateDelta.Column.STALE, key));
            return true;
        });
        for (long version = this.oldestRetained; version < oldestRetained; version++) {
            writes.add(StateDelta.Write.delete(StateDelta.Column.ROOTS, versionKey(version)));
        }
        store.writeState(new StateDelta(writes));
        this.oldestRetained = oldestRetained;
        return freed[0];
    }

    /** Counts the stored nodes by scanning them: for tests and occasional metrics, not hot paths. */
    @Override
    public long nodeCount() {
        long[] count = {0};
        byte[] end = new byte[NodeKey.ENCODED_LENGTH + 1];
        java.util.Arrays.fill(end, (byte) 0xFF);
        store.scanState(StateDelta.Column.NODES, new byte[0], end, (key, value) -> {
            count[0]++;
            return true;
        });
        return count[0] + (staged == null ? 0 : staged.commit().newNodes().size());
    }
}
