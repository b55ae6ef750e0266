package org.meshchain.persistence.chain;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * Reads from one RocksDB snapshot: every answer is consistent with one head, even while the writer
 * commits. Every block read back is verified ({@link CorruptionException} on mismatch).
 */
public final class ChainView implements AutoCloseable {

    private final ChainStore store;
    private final RocksDB db;
    private final Snapshot snapshot;
    private final ReadOptions readOptions;

    ChainView(ChainStore store, RocksDB db, Snapshot snapshot) {
        this.store = store;
        this.db = db;
        this.snapshot = snapshot;
        this.readOptions = new ReadOptions().setSnapshot(snapshot).setVerifyChecksums(true);
    }

    private byte[] get(ChainStore.Family family, byte[] key) {
        try {
            return db.get(store.family(family), readOptions, key);
        } catch (RocksDBException e) {
            throw new StorageException("read from " + family.columnFamilyName + " failed: " + e.getMessage(), e);
        }
    }

    public Optional<ChainStore.Head> head() {
        try {
            return Optional.ofNullable(store.readHead(readOptions));
        } catch (RocksDBException e) {
            throw new StorageException("reading the head failed: " + e.getMessage(), e);
        }
    }

    public Optional<Block> blockAt(long height) {
        byte[] stored = get(ChainStore.Family.BLOCKS, ChainStore.heightKey(height));
        return stored == null ? Optional.empty() : Optional.of(store.verifiedBlock(height, stored));
    }

    public Optional<Block> blockById(Hash32 id) {
        byte[] height = get(ChainStore.Family.BLOCK_INDEX, id.toByteArray());
        if (height == null) {
            return Optional.empty();
        }
        long h = ByteBuffer.wrap(height).getLong();
        Block block = blockAt(h).orElseThrow(() -> new CorruptionException(h, "block index names a missing block " + id));
        if (!block.id().equals(id)) {
            throw new CorruptionException(h, "block index maps " + id + " to a block with id " + block.id());
        }
        return Optional.of(block);
    }

    public Optional<QuorumCertificate> certificateAt(long height) {
        byte[] stored = get(ChainStore.Family.CONSENSUS, ChainStore.heightKey(height));
        if (stored == null) {
            return Optional.empty();
        }
        try {
            QuorumCertificate qc = store.codecs().quorumCertificate().decode(stored, Integer.MAX_VALUE, "certificate");
            if (qc.voteData().height() != height) {
                throw new CorruptionException(height, "certificate for height " + qc.voteData().height() + " stored here");
            }
            return Optional.of(qc);
        } catch (DecodeException e) {
            throw new CorruptionException(height, "stored certificate does not decode: " + e.getMessage());
        }
    }

    public Optional<ChainStore.TxLocation> transaction(Hash32 txId) {
        byte[] location = get(ChainStore.Family.TX_INDEX, txId.toByteArray());
        if (location == null) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(location);
        long height = buffer.getLong();
        int position = buffer.getInt();
        byte[] receipts = get(ChainStore.Family.RECEIPTS, ChainStore.heightKey(height));
        if (receipts == null) {
            throw new CorruptionException(height, "transaction " + txId + " indexed at position " + position + " has no receipts");
        }
        byte[] receipt = ReceiptsBlob.receiptAt(height, receipts, position);
        return Optional.of(new ChainStore.TxLocation(height, position, Bytes.of(receipt)));
    }

    /** A raw state entry in this view's snapshot. */
    public Optional<byte[]> state(StateDelta.Column column, byte[] key) {
        return Optional.ofNullable(get(ChainStore.familyOf(column), key));
    }

    /** Visits state entries of this view with {@code from <= key < toExclusive} in key order until the visitor returns false. */
    public void scanState(StateDelta.Column column, byte[] from, byte[] toExclusive,
            java.util.function.BiPredicate<byte[], byte[]> visitor) {
        // a long sequential scan: read ahead, and do not push the hot blocks out of the block cache
        try (ReadOptions scanOptions = new ReadOptions().setSnapshot(snapshot).setVerifyChecksums(true)
                        .setReadaheadSize(2 << 20).setFillCache(false).setTotalOrderSeek(true);
                org.rocksdb.RocksIterator iterator = db.newIterator(store.family(ChainStore.familyOf(column)), scanOptions)) {
            ChainStore.visitRange(iterator, from, toExclusive, visitor);
        } catch (RocksDBException e) {
            throw new StorageException("state scan failed: " + e.getMessage(), e);
        }
    }

    /** Receives state entries from {@link #scanStateEntries}; the arrays are reused, valid only during the call. */
    @FunctionalInterface
    public interface EntryVisitor {
        /** Returns false to stop the scan. */
        boolean visit(byte[] key, int keyLength, byte[] value, int valueLength);
    }

    /** Bound past every state path (32 bytes): 33 bytes of 0xFF sort after all of them. */
    private static final byte[] PAST_EVERY_PATH = pastEveryPath();

    private static byte[] pastEveryPath() {
        byte[] bound = new byte[33];
        java.util.Arrays.fill(bound, (byte) 0xFF);
        return bound;
    }

    /** {@link #scanStateEntries} over the whole flat state ({@code state_values}), in key order. */
    public void scanAllStateValues(EntryVisitor visitor) {
        scanStateEntries(StateDelta.Column.VALUES, new byte[0], PAST_EVERY_PATH, visitor);
    }

    /**
     * As {@link #scanState} for long scans (a snapshot export): each key and value is copied into
     * an array the scan reuses instead of a new array per entry and per side.
     */
    public void scanStateEntries(StateDelta.Column column, byte[] from, byte[] toExclusive, EntryVisitor visitor) {
        try (ReadOptions scanOptions = new ReadOptions().setSnapshot(snapshot).setVerifyChecksums(true)
                        .setReadaheadSize(2 << 20).setFillCache(false).setTotalOrderSeek(true);
                org.rocksdb.RocksIterator iterator = db.newIterator(store.family(ChainStore.familyOf(column)), scanOptions)) {
            byte[] key = new byte[64];
            byte[] value = new byte[1024];
            for (iterator.seek(from); iterator.isValid(); iterator.next()) {
                int keyLength = iterator.key(key);
                if (keyLength > key.length) {
                    key = new byte[keyLength];
                    iterator.key(key);
                }
                if (java.util.Arrays.compareUnsigned(key, 0, keyLength, toExclusive, 0, toExclusive.length) >= 0) {
                    break;
                }
                int valueLength = iterator.value(value);
                if (valueLength > value.length) {
                    value = new byte[Math.max(valueLength, 2 * value.length)];
                    iterator.value(value);
                }
                if (!visitor.visit(key, keyLength, value, valueLength)) {
                    break;
                }
            }
            iterator.status();
        } catch (RocksDBException e) {
            throw new StorageException("state scan failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        readOptions.close();
        store.releaseSnapshot(snapshot);
    }
}
