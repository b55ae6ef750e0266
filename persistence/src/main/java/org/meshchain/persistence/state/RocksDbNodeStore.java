package org.meshchain.persistence.state;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
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
 * written: the caller takes it with {@link #takeStaged()} and hands it to
 * {@link ChainStore#commitBlock} so the new state version becomes durable in the same batch as its
 * block, then confirms with {@link #stagedWritten()} (or drops it with {@link #discardStaged()} when
 * the block was refused). Reads see the staged version, so the tree can compute and prove it before
 * it is durable.
 *
 * <p>Layout: {@code state_nodes}: node key → encoded node; {@code state_stale}: stale-since
 * version (8, big-endian) || node key → empty; {@code state_roots}: version (8) → root node key.
 * Decoded nodes are kept in a bounded LRU cache (nodes never change once written).
 */
public final class RocksDbNodeStore implements NodeStore {

    private static final byte[] NO_VALUE = new byte[0];

    private final ChainStore store;
    private final int maxValueBytes;
    private final Map<NodeKey, SmtNode> cache;
    private long latest;
    private long oldestRetained;
    /** The staged version, not yet durable, or null. */
    private VersionCommit staged;
    private Map<NodeKey, SmtNode> stagedNodes = Map.of();

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
        SmtNode node = stagedNodes.get(key);
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
        if (staged != null) {
            throw new IllegalStateException("version " + staged.version() + " is staged and not yet written");
        }
        if (commit.version() != latest + 1) {
            throw new IllegalArgumentException("version " + commit.version() + " does not follow " + latest);
        }
        Map<NodeKey, SmtNode> nodes = new HashMap<>();
        for (SmtNode node : commit.newNodes()) {
            if (node.key().version() != commit.version()) {
                throw new IllegalArgumentException("node " + node.key() + " is not keyed with version " + commit.version());
            }
            nodes.put(node.key(), node);
        }
        staged = commit;
        stagedNodes = nodes;
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

    /** The staged version as state writes for {@link ChainStore#commitBlock}. */
    public StateDelta takeStaged() {
        if (staged == null) {
            throw new IllegalStateException("no staged state version");
        }
        List<StateDelta.Write> writes = new ArrayList<>(staged.newNodes().size() + staged.staleNodes().size() + 1);
        for (SmtNode node : staged.newNodes()) {
            writes.add(StateDelta.Write.put(StateDelta.Column.NODES, node.key().toBytes(), SmtNodeCodec.encode(node)));
        }
        byte[] since = versionKey(staged.version());
        for (NodeKey stale : staged.staleNodes()) {
            byte[] key = ByteBuffer.allocate(8 + NodeKey.ENCODED_LENGTH).put(since).put(stale.toBytes()).array();
            writes.add(StateDelta.Write.put(StateDelta.Column.STALE, key, NO_VALUE));
        }
        writes.add(StateDelta.Write.put(StateDelta.Column.ROOTS, since,
                staged.root().isEmpty() ? NO_VALUE : staged.root().toBytes()));
        return new StateDelta(writes);
    }

    /** The staged version was written (with its block): it becomes the latest durable version. */
    public void stagedWritten() {
        if (staged == null) {
            throw new IllegalStateException("no staged state version");
        }
        latest = staged.version();
        stagedNodes.forEach(cache::put);
        staged = null;
        stagedNodes = Map.of();
    }

    /** The block was refused: forget the staged version. */
    public void discardStaged() {
        staged = null;
        stagedNodes = Map.of();
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
            byte[] nodeKey = new byte[NodeKey.ENCODED_LENGTH];
            System.arraycopy(key, 8, nodeKey, 0, nodeKey.length);
            writes.add(StateDelta.Write.delete(StateDelta.Column.NODES, nodeKey));
            writes.add(StateDelta.Write.delete(StateDelta.Column.STALE, key));
            cache.remove(NodeKey.fromBytes(nodeKey));
            freed[0]++;
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
        return count[0] + stagedNodes.size();
    }
}
