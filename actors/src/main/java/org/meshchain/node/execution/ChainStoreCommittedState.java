package org.meshchain.node.execution;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.SmtNodeCodec;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.chain.StateDelta;

/**
 * {@link CommittedState} over the chain store, through a RocksDB snapshot ({@link ChainView}) per
 * execution, so it never touches the storage actor's (single-threaded) tree objects. It reads the state
 * columns in the layout of merkle/'s {@code NodeStore} contract that persistence implements:
 * {@code state_roots}: version (8 bytes big-endian) → root node key (empty = empty tree);
 * {@code state_nodes}: node key → encoded node; {@code state_values}: path → value at the head.
 *
 * <p>Encoded nodes are cached (bounded, shared by all snapshots: a node never changes once written).
 * The state root's subtrees are rebuilt on several threads at once and read every node through this
 * cache, so a hit takes no lock and writes nothing: a concurrent map, with the oldest entries evicted
 * first (insertion order) when a miss pushes it over its bound. An LRU under one lock made every hit
 * relink a shared list, and the threads queued behind each other (ADR 0061).
 * Decoded nodes are not shared between executions, so the tree's child memo lives only as long as one
 * execution's scratch tree and memory stays bounded by the cache.
 */
public final class ChainStoreCommittedState implements CommittedState {

    private final ChainStore store;
    private final int maxValueBytes;
    private final int nodeCacheEntries;
    private final ConcurrentHashMap<NodeKey, byte[]> encodedNodes = new ConcurrentHashMap<>();
    /** The cached keys in insertion order: each key is queued once, when its entry is added. */
    private final ConcurrentLinkedQueue<NodeKey> insertionOrder = new ConcurrentLinkedQueue<>();

    /**
     * @param nodeCacheEntries encoded tree nodes kept in memory (0 disables the cache)
     * @param maxValueBytes    the largest state value the tree holds (as configured for the state store)
     */
    public ChainStoreCommittedState(ChainStore store, int nodeCacheEntries, int maxValueBytes) {
        this.store = Objects.requireNonNull(store, "store");
        if (nodeCacheEntries < 0) {
            throw new IllegalArgumentException("execution.node-cache-entries = " + nodeCacheEntries + ": must not be negative");
        }
        if (maxValueBytes <= 0) {
            throw new IllegalArgumentException("maxValueBytes = " + maxValueBytes + ": must be positive");
        }
        this.maxValueBytes = maxValueBytes;
        this.nodeCacheEntries = nodeCacheEntries;
    }

    @Override
    public Snapshot open() {
        ChainView view = store.view();
        try {
            long head = view.head().map(ChainStore.Head::height).orElse(-1L);
            long version = head + 1;
            Optional<byte[]> stored = view.state(StateDelta.Column.ROOTS, ByteBuffer.allocate(8).putLong(version).array());
            NodeKey root;
            if (stored.isPresent()) {
                root = stored.get().length == 0 ? NodeKey.EMPTY : NodeKey.fromBytes(stored.get());
            } else if (version == 0) {
                root = NodeKey.EMPTY;
            } else {
                throw new IllegalStateException("state version " + version + " of head " + head + " has no root: the store is inconsistent");
            }
            return new ViewSnapshot(view, head, root);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private byte[] cached(NodeKey key) {
        return encodedNodes.get(key);
    }

    private void cache(NodeKey key, byte[] encoded) {
        if (encodedNodes.putIfAbsent(key, encoded) == null) {
            insertionOrder.add(key);
            while (encodedNodes.size() > nodeCacheEntries) {
                NodeKey eldest = insertionOrder.poll();
                if (eldest == null) {
                    break;
                }
                encodedNodes.remove(eldest);
            }
        }
    }

    private final class ViewSnapshot implements Snapshot {
        private final ChainView view;
        private final long head;
        private final NodeKey root;

        ViewSnapshot(ChainView view, long head, NodeKey root) {
            this.view = view;
            this.head = head;
            this.root = root;
        }

        @Override
        public long headHeight() {
            return head;
        }

        @Override
        public NodeKey root() {
            return root;
        }

        @Override
        public SmtNode node(NodeKey key) {
            byte[] encoded = cached(key);
            if (encoded == null) {
                encoded = view.state(StateDelta.Column.NODES, key.toBytes()).orElseThrow(() ->
                        new IllegalStateException("state node " + key + " missing under head " + head + ": the store is corrupt"));
                cache(key, encoded);
            }
            try {
                return SmtNodeCodec.decode(key, encoded, maxValueBytes);
            } catch (DecodeException e) {
                throw new IllegalStateException("state node " + key + " does not decode: " + e.getMessage(), e);
            }
        }

        @Override
        public Optional<Bytes> get(Hash32 path) {
            return view.state(StateDelta.Column.VALUES, path.toByteArray()).map(Bytes::of);
        }

        @Override
        public void close() {
            view.close();
        }
    }
}
