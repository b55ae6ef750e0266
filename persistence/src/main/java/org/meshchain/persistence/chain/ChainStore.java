package org.meshchain.persistence.chain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TxRoot;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The chain and state store on RocksDB (DESIGN 7.1). One writer ({@link #commitBlock} is
 * synchronized), many readers: a {@link ChainView} reads from a RocksDB snapshot, so it sees either
 * the state before a commit or after it, never a mix. Committing a block is ONE synced WriteBatch
 * holding block, header, indexes, receipts, certificate, state changes and the head pointer: after
 * a crash at any instant the store holds the block wholly or not at all.
 *
 * <p>Column families (keys → values; heights are big-endian u64 so they sort numerically):
 * <ul>
 *   <li>{@code blocks}: height → block id (32) || canonical block (the id is re-checked on read)
 *   <li>{@code headers}: height → canonical header (headers without bodies, for light clients)
 *   <li>{@code block_index}: block id → height
 *   <li>{@code tx_index}: tx id → height (8) || position (4)
 *   <li>{@code receipts}: height → the block's receipts in one value ({@link ReceiptsBlob})
 *   <li>{@code consensus}: height → the QC that certifies the block at that height
 *   <li>{@code state_nodes}, {@code state_values}, {@code state_stale}, {@code state_roots}: written
 *       by the state layer ({@link StateDelta}; {@code state_stale} holds one entry per version, ADR 0058)
 *   <li>{@code meta}: {@code schema_version}, {@code head} (height || id), {@code pruned_below}
 * </ul>
 */
public final class ChainStore implements AutoCloseable {

    /**
     * 3: one stale-node index entry per state version listing its stale node keys (2 had one entry
     * per stale node, ADR 0058). 2: receipts stored as one blob per block (1 kept them per transaction).
     */
    public static final int SCHEMA_VERSION = 3;
    /** Most blocks pruned in one commit, so pruning never stalls consensus for long. */
    static final int MAX_PRUNE_PER_COMMIT = 1_000;

    private static final byte[] META_SCHEMA = "schema_version".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_HEAD = "head".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_PRUNED_BELOW = "pruned_below".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_SNAPSHOT_IMPORT = "snapshot_import".getBytes(StandardCharsets.US_ASCII);

    enum Family {
        BLOCKS("blocks"), HEADERS("headers"), BLOCK_INDEX("block_index"), TX_INDEX("tx_index"), RECEIPTS("receipts"),
        STATE_NODES("state_nodes"), STATE_VALUES("state_values"), STATE_STALE("state_stale"), STATE_ROOTS("state_roots"),
        CONSENSUS("consensus"), META("meta");

        final String columnFamilyName;

        Family(String columnFamilyName) {
            this.columnFamilyName = columnFamilyName;
        }
    }

    /** The newest committed block. */
    public record Head(long height, Hash32 blockId) {
    }

    /** Where a transaction was committed, with its receipt. */
    public record TxLocation(long height, int position, Bytes receipt) {
    }

    private final Path directory;
    private final ChainStoreConfig config;
    private final DomainCodecs codecs;
    private final List<AutoCloseable> resources;
    private final RocksDB db;
    private final ColumnFamilyHandle[] families;
    private final WriteOptions syncWrites;
    /** Read options of every iterator: total order, because some families have hash memtables ({@link #hashMemtableOptions}). */
    private final ReadOptions totalOrderReads;
    /** Column family ids by {@link Family} ordinal, for {@link BatchBuilder}. */
    private final int[] familyIds;
    /** The commit's batch, built in Java; reused across commits (one writer). */
    private final BatchBuilder commitBatch;
    /** Table options of the SST files a snapshot import writes and ingests. */
    private final Options importFileOptions;
    private final EnvOptions importEnvOptions;
    private volatile Head head;
    private volatile long prunedBelow;
    /** Whether the last commit found the store past quota × high-water fraction. */
    private volatile boolean aboveHighWaterMark;
    private volatile boolean closed;
    /** Whether flushes and compactions use direct I/O (the file system supports O_DIRECT). */
    private boolean directIoForFlushAndCompaction;

    private ChainStore(Path directory, ChainStoreConfig config, DomainCodecs codecs, List<AutoCloseable> resources,
            RocksDB db, ColumnFamilyHandle[] families, WriteOptions syncWrites, Options importFileOptions) {
        this.importFileOptions = importFileOptions;
        this.importEnvOptions = new EnvOptions();
        resources.add(importEnvOptions);
        this.directory = directory;
        this.config = config;
        this.codecs = codecs;
        this.resources = resources;
        this.db = db;
        this.families = families;
        this.syncWrites = syncWrites;
        this.totalOrderReads = new ReadOptions().setTotalOrderSeek(true);
        resources.add(totalOrderReads);
        this.familyIds = new int[families.length];
        for (int i = 0; i < families.length; i++) {
            familyIds[i] = families[i].getID();
        }
        this.commitBatch = new BatchBuilder(1 << 20);
    }

    /**
     * Opens (or creates) the store. If any step fails, everything opened so far is closed again
     * (no leaked RocksDB handle) and a {@link StorageException} names the directory and the cause.
     */
    public static ChainStore open(Path directory, ChainStoreConfig config, DomainCodecs codecs) {
        RocksDB.loadLibrary();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            java.nio.file.Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new StorageException("cannot create the chain store directory " + directory + ": " + e, e);
        }
        try {
            boolean directIo = supportsDirectIo(directory);
            BlockBasedTableConfig table = tableConfig(config, resources);
            ColumnFamilyOptions columnOptions = track(resources, columnOptions(table));
            ColumnFamilyOptions hashMemtableOptions = track(resources, hashMemtableOptions(table));
            ColumnFamilyOptions treeNodeOptions = track(resources, treeNodeOptions(table));
            DBOptions dbOptions = track(resources, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxOpenFiles(512)
                    .setKeepLogFileNum(5)
                    // flushes and compactions run beside commits instead of queueing behind one another
                    .setMaxBackgroundJobs(4)
                    // spread fsync cost of SST writes instead of one large flush stall
                    .setBytesPerSync(1 << 20)
                    // flushes and compactions write their SST files around the page cache, so the commit's
                    // WAL fdatasync does not queue behind tens of MB of their dirty pages (ADR 0059)
                    .setUseDirectIoForFlushAndCompaction(directIo)
                    // required by the hash memtables of the id indexes; one writer, so never used anyway
                    .setAllowConcurrentMemtableWrite(false));
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions));
            for (Family family : Family.values()) {
                descriptors.add(new ColumnFamilyDescriptor(family.columnFamilyName.getBytes(StandardCharsets.US_ASCII),
                        familyOptions(family, columnOptions, hashMemtableOptions, treeNodeOptions)));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            resources.addAll(handles);
            resources.add(db);
            ColumnFamilyHandle[] families = new ColumnFamilyHandle[Family.values().length];
            for (Family family : Family.values()) {
                families[family.ordinal()] = handles.get(family.ordinal() + 1);
            }
            WriteOptions syncWrites = track(resources, new WriteOptions().setSync(true));
            Options importFileOptions = track(resources, importFileOptions(dbOptions, table));
            ChainStore store = new ChainStore(directory, config, codecs, resources, db, families, syncWrites, importFileOptions);
            store.directIoForFlushAndCompaction = directIo;
            store.checkSchema();
            store.head = store.readHead(null);
            store.prunedBelow = store.readLong(null, Family.META, META_PRUNED_BELOW).orElse(0L);
            return store;
        } catch (RocksDBException | RuntimeException e) {
            closeAll(resources);
            throw new StorageException("cannot open chain store at " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether files in {@code directory} can be opened with O_DIRECT (not on tmpfs, for one): RocksDB
     * would otherwise fail its first flush, so direct I/O is used only where a probe file opens.
     */
    static boolean supportsDirectIo(Path directory) {
        Path probe = directory.resolve("direct-io-probe");
        try (java.nio.channels.FileChannel ignored = java.nio.channels.FileChannel.open(probe,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(probe);
            } catch (java.io.IOException e) {
                // a leftover empty probe file is harmless; the next open deletes it
            }
        }
    }

    /** Whether this store's flushes and compactions bypass the page cache (ADR 0059). */
    public boolean directIoForFlushAndCompaction() {
        return directIoForFlushAndCompaction;
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Table options. Bloom filters (10 bits/key, ~1% false positives) because most reads are point
     * lookups by hash (tx index, block index, tree nodes) that would otherwise probe every level; one
     * shared LRU block cache bounds memory; index and filter blocks live in that cache so they are
     * bounded too. Compression per level: none for L0–L1 (recent, rewritten soon, so compressing them
     * is wasted CPU on the commit path), LZ4 for the middle levels (cheap to decompress on reads),
     * ZSTD for the bottommost level where most of the data settles; except the tree nodes, which are
     * hashes and stay uncompressed ({@link #treeNodeOptions}).
     */
    private static BlockBasedTableConfig tableConfig(ChainStoreConfig config, List<AutoCloseable> resources) {
        LRUCache cache = track(resources, new LRUCache(config.blockCacheBytes()));
        BloomFilter bloom = track(resources, new BloomFilter(10, false));
        return new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setBlockSize(16 * 1024)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
    }

    /** Bucket count of a hash memtable: ~2 MiB of bucket heads, ~1-2 entries per bucket at 64 MiB. */
    static final int HASH_INDEX_BUCKETS = 1 << 18;

    /**
     * The families whose keys are all 32-byte hashes written in random order: the id indexes (ADR 0056)
     * and the flat state values (ADR 0072). Their memtable is a hash table; see {@link #hashMemtableOptions}.
     */
    static final java.util.Set<Family> HASH_MEMTABLE_FAMILIES =
            java.util.EnumSet.of(Family.TX_INDEX, Family.BLOCK_INDEX, Family.STATE_VALUES);

    /**
     * Options of the {@link #HASH_MEMTABLE_FAMILIES}: the id indexes ({@code tx_index},
     * {@code block_index}: 32-byte hash → location) and {@code state_values} (32-byte path → value).
     * Their memtable is a hash table of linked lists (prefix = the whole 32-byte key) instead of a
     * skiplist: a commit inserts 1,000 random tx ids and ~1,000 random paths, and a skiplist insert
     * walks ~log2(entries) nodes with a cache miss each, a hash insert touches one bucket (ADR 0056,
     * 0072). SST files, bloom filters and point reads are as before. Every iterator over them must
     * set {@code total_order_seek} ({@link #totalOrderReads}, {@link ChainView}): without it, a
     * family with a prefix extractor shows an iterator one prefix only. A total-order iterator
     * copies the memtable into a sorted list first: fine for the rare scans (snapshot export), not
     * for a hot path.
     */
    private static ColumnFamilyOptions hashMemtableOptions(BlockBasedTableConfig table) {
        return columnOptions(table)
                .useFixedLengthPrefixExtractor(32)
                .setMemTableConfig(new org.rocksdb.HashLinkedListMemTableConfig().setBucketCount(HASH_INDEX_BUCKETS));
    }

    private static ColumnFamilyOptions familyOptions(Family family, ColumnFamilyOptions columnOptions,
            ColumnFamilyOptions hashMemtableOptions, ColumnFamilyOptions treeNodeOptions) {
        if (family == Family.STATE_NODES) {
            return treeNodeOptions;
        }
        return HASH_MEMTABLE_FAMILIES.contains(family) ? hashMemtableOptions : columnOptions;
    }

    /**
     * Options of {@code state_nodes}: no compression at any level (ADR 0073). A node is a key of
     * version and hash and a value of hashes (and a leaf's small value): ZSTD shrinks those files by
     * only ~20%, while every read of an uncached block pays the decompression (the executor's tree
     * update reads thousands of nodes per block) and every compaction into the bottom level
     * recompresses what the level above held uncompressed.
     */
    private static ColumnFamilyOptions treeNodeOptions(BlockBasedTableConfig table) {
        return columnOptions(table)
                .setCompressionPerLevel(java.util.Collections.nCopies(7, CompressionType.NO_COMPRESSION))
                .setBottommostCompressionType(CompressionType.NO_COMPRESSION);
    }

    /**
     * For each SST file of {@code family}, its data blocks' size on disk over the raw size of the
     * keys and values they hold: well below 1 when compressed (for tests).
     */
    List<Double> fileDataToRawRatios(Family family) throws RocksDBException {
        return db.getPropertiesOfAllTables(family(family)).values().stream()
                .map(table -> (double) table.getDataSize() / (table.getRawKeySize() + table.getRawValueSize())).toList();
    }

    /** Flushes {@code family}'s memtable and rewrites it whole into the bottom level (for tests). */
    void compactFully(Family family) throws RocksDBException {
        try (org.rocksdb.CompactRangeOptions rewrite = new org.rocksdb.CompactRangeOptions()
                .setBottommostLevelCompaction(org.rocksdb.CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            db.compactRange(family(family), null, null, rewrite);
        }
    }

    private static ColumnFamilyOptions columnOptions(BlockBasedTableConfig table) {
        return new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setNumLevels(7)
                // a spare memtable, so a commit never waits for the previous one to be flushed
                .setMaxWriteBufferNumber(4)
                .setCompressionPerLevel(List.of(CompressionType.NO_COMPRESSION, CompressionType.NO_COMPRESSION,
                        CompressionType.LZ4_COMPRESSION, CompressionType.LZ4_COMPRESSION, CompressionType.LZ4_COMPRESSION,
                        CompressionType.LZ4_COMPRESSION, CompressionType.LZ4_COMPRESSION))
                .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    }

    /**
     * Options of the SST files a snapshot import writes ({@link StateFileWriter}): the column
     * families' table format (bloom filters, block size) so the files serve reads as they are, but
     * no compression: state nodes are hashes and values are small and random, so compressing them
     * costs CPU on the import path for little space, and a later compaction recompresses them by level.
     */
    private static Options importFileOptions(DBOptions dbOptions, BlockBasedTableConfig table) {
        ColumnFamilyOptions columns = new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setBottommostCompressionType(CompressionType.DISABLE_COMPRESSION_OPTION);
        try {
            return new Options(dbOptions, columns);
        } finally {
            columns.close();
        }
    }

    private void checkSchema() throws RocksDBException {
        byte[] stored = db.get(family(Family.META), META_SCHEMA);
        if (stored == null) {
            if (db.get(family(Family.META), META_HEAD) != null) {
                throw new StorageException("store has a head but no schema version: not a MeshChain store or damaged");
            }
            db.put(family(Family.META), syncWrites, META_SCHEMA, ByteBuffer.allocate(4).putInt(SCHEMA_VERSION).array());
            return;
        }
        int version = ByteBuffer.wrap(stored).getInt();
        if (version != SCHEMA_VERSION) {
            throw new StorageException("schema version " + version + " in " + directory + " but this node reads version "
                    + SCHEMA_VERSION + " (migrate the store or use a matching node version)");
        }
    }

    ColumnFamilyHandle family(Family family) {
        return families[family.ordinal()];
    }

    private int familyId(Family family) {
        return familyIds[family.ordinal()];
    }

    static byte[] heightKey(long height) {
        return ByteBuffer.allocate(8).putLong(height).array();
    }

    static byte[] positionKey(long height, int position) {
        return ByteBuffer.allocate(12).putLong(height).putInt(position).array();
    }

    Head readHead(ReadOptions readOptions) throws RocksDBException {
        byte[] value = readOptions == null ? db.get(family(Family.META), META_HEAD)
                : db.get(family(Family.META), readOptions, META_HEAD);
        if (value == null) {
            return null;
        }
        if (value.length != 40) {
            throw new CorruptionException(-1, "head pointer has " + value.length + " bytes, expected 40");
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long height = buffer.getLong();
        byte[] id = new byte[32];
        buffer.get(id);
        return new Head(height, Hash32.of(id));
    }

    Optional<Long> readLong(ReadOptions readOptions, Family family, byte[] key) throws RocksDBException {
        byte[] value = readOptions == null ? db.get(family(family), key) : db.get(family(family), readOptions, key);
        return value == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(value).getLong());
    }

    /** The newest committed block, if any. */
    public Optional<Head> head() {
        return Optional.ofNullable(head);
    }

    /** The settings this store was opened with. */
    public ChainStoreConfig config() {
        return config;
    }

    /**
     * Whether the last commit found the store past its high-water mark; the state layer then prunes
     * its versions older than the retention window too ({@code StateStore}).
     */
    public boolean aboveHighWaterMark() {
        return aboveHighWaterMark;
    }

    /** Heights below this have been pruned. */
    public long prunedBelow() {
        return prunedBelow;
    }

    /**
     * Validates and commits one block with its commit certificate, receipts (one per transaction,
     * canonical bytes) and state changes, in one synced batch. On any violation nothing is written.
     */
    public synchronized Head commitBlock(Block block, QuorumCertificate certificate, List<Bytes> receipts, StateDelta delta)
            throws CommitRejectedException {
        checkOpen();
        Head current = head;
        long expectedHeight = current == null ? 0 : current.height() + 1;
        Hash32 expectedParent = current == null ? Hash32.ZERO : current.blockId();
        long height = block.header().height();
        if (height != expectedHeight) {
            throw new CommitRejectedException(new StorageError.HeightMismatch(expectedHeight, height));
        }
        if (!block.header().parentId().equals(expectedParent)) {
            throw new CommitRejectedException(new StorageError.ParentMismatch(expectedParent, block.header().parentId()));
        }
        // each transaction is encoded once: its bytes give its id and are the block body's bytes
        EncodedBlock encoded = encodeWithTxIds(block);
        List<SignedTransaction> transactions = block.transactions();
        List<Hash32> txIds = encoded.txIds();
        Hash32 txRoot = TxRoot.ofIds(txIds);
        if (!txRoot.equals(block.header().txRoot())) {
            throw new CommitRejectedException(new StorageError.TxRootMismatch(block.header().txRoot(), txRoot));
        }
        Hash32 blockId = block.id();
        if (!certificate.voteData().blockId().equals(blockId) || certificate.voteData().height() != height) {
            throw new CommitRejectedException(new StorageError.CertificateMismatch(blockId,
                    certificate.voteData().blockId(), height, certificate.voteData().height()));
        }
        if (receipts.size() != block.transactions().size()) {
            throw new CommitRejectedException(new StorageError.ReceiptCountMismatch(block.transactions().size(), receipts.size()));
        }
        byte[] encodedBlock = encoded.bytes();
        if (encodedBlock.length > config.maxBlockBytes()) {
            throw new CommitRejectedException(new StorageError.BlockTooLarge(encodedBlock.length, config.maxBlockBytes()));
        }
        byte[] receiptsBlob = ReceiptsBlob.encode(receipts);
        long incoming = encodedBlock.length + receiptsBlob.length + delta.byteSize();
        long used = approximateDiskUsage();
        if (used + incoming > config.quotaBytes()) {
            throw new CommitRejectedException(new StorageError.QuotaExceeded(used, incoming, config.quotaBytes()));
        }

        // the batch is built in Java and crosses JNI once (BatchBuilder); the builder's buffer is reused
        BatchBuilder builder = commitBatch;
        try {
            builder.clear();
            putBlockWithHead(builder, block, blockId, encodedBlock, certificate);
            int txIndex = familyId(Family.TX_INDEX);
            // in block order: the index's memtable is a hash table (ADR 0056), so sorting the ids buys nothing (ADR 0072)
            for (int position = 0; position < txIds.size(); position++) {
                builder.put(txIndex, txIds.get(position).toByteArray(), positionKey(height, position));
            }
            // all receipts of the block in one value: one put instead of one per transaction
            builder.put(familyId(Family.RECEIPTS), heightKey(height), receiptsBlob);
            addStateWrites(builder, delta);
            try (WriteBatch batch = builder.toWriteBatch()) {
                db.write(syncWrites, batch);
            }
        } catch (RocksDBException e) {
            throw new StorageException("commit of block " + height + " failed: " + e.getMessage(), e);
        } finally {
            builder.clear();
        }
        Head committed = new Head(height, blockId);
        head = committed;
        aboveHighWaterMark = used + incoming > (long) (config.quotaBytes() * config.highWaterFraction());
        if (aboveHighWaterMark) {
            pruneBeyondRetention();
        }
        return committed;
    }

    /** A block's canonical bytes and its transactions' ids, from one encoding of each transaction. */
    record EncodedBlock(byte[] bytes, List<Hash32> txIds) {
    }

    /**
     * Encodes the block as {@code DomainCodecs.encode(block)} does (header, ULEB128 count, the
     * transactions' canonical bytes in order) with each transaction's id ({@code H("SignedTransaction",
     * bytes)}); a transaction keeps both once computed (ADR 0066), so neither is computed twice.
     */
    static EncodedBlock encodeWithTxIds(Block block) {
        List<SignedTransaction> transactions = block.transactions();
        byte[] header = DomainCodecs.encode(block.header());
        byte[][] encodedTxs = new byte[transactions.size()][];
        List<Hash32> ids = new ArrayList<>(transactions.size());
        int total = header.length + 10;
        for (int i = 0; i < encodedTxs.length; i++) {
            encodedTxs[i] = DomainCodecs.encode(transactions.get(i));
            // the id the transaction keeps (ADR 0066): H("SignedTransaction", these bytes), computed once per object
            ids.add(transactions.get(i).id());
            total += encodedTxs[i].length;
        }
        byte[] out = new byte[total];
        System.arraycopy(header, 0, out, 0, header.length);
        int offset = header.length;
        long count = encodedTxs.length;
        do {
            int low = (int) (count & 0x7F);
            count >>>= 7;
            out[offset++] = (byte) (count == 0 ? low : low | 0x80);
        } while (count != 0);
        for (byte[] tx : encodedTxs) {
            System.arraycopy(tx, 0, out, offset, tx.length);
            offset += tx.length;
        }
        return new EncodedBlock(java.util.Arrays.copyOf(out, offset), ids);
    }

    /** Block (id-prefixed), header, id index, certificate and the head pointer, into one batch. */
    private void putBlockWithHead(BatchBuilder batch, Block block, Hash32 blockId, byte[] encodedBlock,
            QuorumCertificate certificate) {
        long height = block.header().height();
        byte[] heightKey = heightKey(height);
        batch.putParts(familyId(Family.BLOCKS), heightKey, blockId.toByteArray(), encodedBlock);
        batch.put(familyId(Family.HEADERS), heightKey, DomainCodecs.encode(block.header()));
        batch.put(familyId(Family.BLOCK_INDEX), blockId.toByteArray(), heightKey);
        batch.put(familyId(Family.CONSENSUS), heightKey, codecs.quorumCertificate().encode(certificate));
        byte[] headValue = new byte[40];
        ByteBuffer.wrap(headValue).putLong(height);
        blockId.copyTo(headValue, 8);
        batch.put(familyId(Family.META), META_HEAD, headValue);
    }

    static Family familyOf(StateDelta.Column column) {
        return switch (column) {
            case NODES -> Family.STATE_NODES;
            case STALE -> Family.STATE_STALE;
            case ROOTS -> Family.STATE_ROOTS;
            case VALUES -> Family.STATE_VALUES;
        };
    }

    /**
     * State writes by column and key: the skiplist memtables (tree nodes) insert keys in order
     * cheaply, each search reusing the path of the one before; a stable sort keeps writes to one key
     * in order. The state layer hands them over in that order already (ADR 0058): then one pass checks
     * it and nothing is copied or sorted.
     */
    private void addStateWrites(BatchBuilder batch, StateDelta delta) {
        if (delta.encoded() != null) {
            delta.encoded().writeTo((column, key, keyOffset, keyLength, value, valueOffset, valueLength) -> batch.put(
                    familyId(familyOf(column)), key, keyOffset, keyLength, value, valueOffset, valueLength));
        }
        List<StateDelta.Write> writes = delta.writes();
        if (!inWriteOrder(writes)) {
            List<StateDelta.Write> sorted = new ArrayList<>(writes);
            sorted.sort(ChainStore::compareWrites);
            writes = sorted;
        }
        for (StateDelta.Write write : writes) {
            int handle = familyId(familyOf(write.column()));
            if (write.value() == null) {
                batch.delete(handle, write.key());
            } else {
                batch.put(handle, write.key(), write.value());
            }
        }
    }

    private static int compareWrites(StateDelta.Write a, StateDelta.Write b) {
        return a.column() != b.column() ? a.column().compareTo(b.column()) : java.util.Arrays.compareUnsigned(a.key(), b.key());
    }

    /** Whether {@code writes} are sorted by column, then key (equal keys allowed: their order is kept either way). */
    private static boolean inWriteOrder(List<StateDelta.Write> writes) {
        for (int i = 1; i < writes.size(); i++) {
            if (compareWrites(writes.get(i - 1), writes.get(i)) > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes state-only changes in one synced batch, outside a block commit: the state layer's
     * genesis version and pruning of old versions.
     */
    public synchronized void writeState(StateDelta delta) {
        checkOpen();
        BatchBuilder builder = new BatchBuilder((int) Math.min(1 << 20, delta.byteSize() + 64L * delta.writes().size()));
        addStateWrites(builder, delta);
        try (WriteBatch batch = builder.toWriteBatch()) {
            db.write(syncWrites, batch);
        } catch (RocksDBException e) {
            throw new StorageException("state write failed: " + e.getMessage(), e);
        }
    }

    /** Progress of an interrupted snapshot import (opaque to the store), if one is under way. */
    public Optional<byte[]> snapshotImportProgress() {
        checkOpen();
        try {
            return Optional.ofNullable(db.get(family(Family.META), META_SNAPSHOT_IMPORT));
        } catch (RocksDBException e) {
            throw new StorageException("reading import progress failed: " + e.getMessage(), e);
        }
    }

    /**
     * Where a snapshot import stages its SST files: inside the data directory, so ingesting them is
     * a rename on the same file system, not a copy.
     */
    public Path importStagingDirectory() {
        return directory.resolve("import-staging");
    }

    /** A writer of one SST file of {@code column} entries, to be ingested by {@link #ingestSnapshotFiles}. */
    public StateFileWriter stateFileWriter(StateDelta.Column column, Path file) {
        checkOpen();
        return new StateFileWriter(column, file, importEnvOptions, importFileOptions);
    }

    /**
     * Adds finished SST files of a verified snapshot import to the store, then records the import's
     * progress marker in a synced write. Ingestion bypasses the log and the memtables: RocksDB syncs
     * each file and the directory and records it in its (synced) manifest before it returns, so the
     * entries are durable before the marker that counts them. A crash between the two leaves entries
     * the marker does not count yet; the import then writes them again, with the same content
     * (values by path, nodes by content hash), which is harmless. Files are moved, not copied.
     */
    public synchronized void ingestSnapshotFiles(List<StateFileWriter> files, byte[] progress) {
        checkOpen();
        if (head != null) {
            throw new IllegalStateException("snapshot import into a store that already has a chain");
        }
        try (IngestExternalFileOptions options = new IngestExternalFileOptions()
                .setMoveFiles(true)
                .setAllowGlobalSeqNo(true)
                .setAllowBlockingFlush(true)) {
            for (StateFileWriter file : files) {
                db.ingestExternalFile(family(familyOf(file.column())), List.of(file.file().toString()), options);
            }
            db.put(family(Family.META), syncWrites, META_SNAPSHOT_IMPORT, progress);
        } catch (RocksDBException e) {
            throw new StorageException("ingesting imported state files failed: " + e.getMessage(), e);
        }
    }

    /**
     * Makes an imported snapshot's block the head of an empty store: block, header, index,
     * certificate, the state tree's version and the head pointer in one synced batch; heights below
     * it count as pruned. The block's receipts are not part of a snapshot, so its transactions are
     * not indexed.
     */
    public synchronized Head installSnapshotBase(Block block, QuorumCertificate certificate, StateDelta delta) {
        checkOpen();
        if (head != null) {
            throw new IllegalStateException("the store already has a chain at height " + head.height());
        }
        Hash32 blockId = block.id();
        long height = block.header().height();
        if (!certificate.voteData().blockId().equals(blockId) || certificate.voteData().height() != height) {
            throw new IllegalArgumentException("certificate does not name the snapshot's block");
        }
        byte[] encodedBlock = DomainCodecs.encode(block);
        BatchBuilder builder = new BatchBuilder(encodedBlock.length + 4096);
        putBlockWithHead(builder, block, blockId, encodedBlock, certificate);
        addStateWrites(builder, delta);
        builder.put(familyId(Family.META), META_PRUNED_BELOW, heightKey(height));
        builder.delete(familyId(Family.META), META_SNAPSHOT_IMPORT);
        try (WriteBatch batch = builder.toWriteBatch()) {
            db.write(syncWrites, batch);
        } catch (RocksDBException e) {
            throw new StorageException("installing the snapshot base failed: " + e.getMessage(), e);
        }
        head = new Head(height, blockId);
        prunedBelow = height;
        return head;
    }

    /**
     * Reads one state entry at the latest write, without a snapshot. For entries that never change
     * once written (tree nodes are keyed by version and hash) this is consistent by construction.
     */
    public Optional<byte[]> readState(StateDelta.Column column, byte[] key) {
        checkOpen();
        try {
            return Optional.ofNullable(db.get(family(familyOf(column)), key));
        } catch (RocksDBException e) {
            throw new StorageException("state read failed: " + e.getMessage(), e);
        }
    }

    /** Visits state entries with {@code from <= key < toExclusive} in key order until the visitor returns false. */
    public void scanState(StateDelta.Column column, byte[] from, byte[] toExclusive,
            java.util.function.BiPredicate<byte[], byte[]> visitor) {
        checkOpen();
        try (org.rocksdb.RocksIterator iterator = db.newIterator(family(familyOf(column)), totalOrderReads)) {
            visitRange(iterator, from, toExclusive, visitor);
        } catch (RocksDBException e) {
            throw new StorageException("state scan failed: " + e.getMessage(), e);
        }
    }

    /** Visits {@code from <= key < toExclusive} of the iterator in key order until the visitor returns false. */
    static void visitRange(org.rocksdb.RocksIterator iterator, byte[] from, byte[] toExclusive,
            java.util.function.BiPredicate<byte[], byte[]> visitor) throws RocksDBException {
        for (iterator.seek(from); iterator.isValid(); iterator.next()) {
            byte[] key = iterator.key();
            if (java.util.Arrays.compareUnsigned(key, toExclusive) >= 0 || !visitor.test(key, iterator.value())) {
                break;
            }
        }
        iterator.status();
    }

    /** The last state entry with key < {@code beforeExclusive}, if any (e.g. the newest version root). */
    public Optional<byte[][]> lastStateBefore(StateDelta.Column column, byte[] beforeExclusive) {
        checkOpen();
        try (org.rocksdb.RocksIterator iterator = db.newIterator(family(familyOf(column)), totalOrderReads)) {
            iterator.seekForPrev(beforeExclusive);
            if (iterator.isValid() && java.util.Arrays.compareUnsigned(iterator.key(), beforeExclusive) == 0) {
                iterator.prev();
            }
            return iterator.isValid() ? Optional.of(new byte[][] {iterator.key(), iterator.value()}) : Optional.empty();
        }
    }

    /** RocksDB's estimate of the number of flat state entries (for progress reporting only). */
    public long estimatedStateEntries() {
        try {
            return db.getLongProperty(family(Family.STATE_VALUES), "rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            throw new StorageException("cannot read RocksDB key estimate: " + e.getMessage(), e);
        }
    }

    /** Estimated bytes on disk: SST files of every column family plus the memtables not yet flushed. */
    public long approximateDiskUsage() {
        try {
            // a hash memtable's bucket array is allocated up front and holds no data to be written
            long emptyBuckets = 0;
            for (Family family : HASH_MEMTABLE_FAMILIES) {
                long memtables = 1 + db.getLongProperty(family(family), "rocksdb.num-immutable-mem-table");
                emptyBuckets += memtables * HASH_INDEX_BUCKETS * (long) Long.BYTES;
            }
            return db.getAggregatedLongProperty("rocksdb.total-sst-files-size")
                    + Math.max(0, db.getAggregatedLongProperty("rocksdb.size-all-mem-tables") - emptyBuckets);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read RocksDB size properties: " + e.getMessage(), e);
        }
    }

    /** Deletes blocks (and their indexes, receipts, certificates) older than the retention window. */
    synchronized void pruneBeyondRetention() {
        Head current = head;
        if (current == null) {
            return;
        }
        long keepFrom = current.height() - config.retentionBlocks() + 1;
        long from = prunedBelow;
        long to = Math.min(keepFrom, from + MAX_PRUNE_PER_COMMIT);
        if (to <= from) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (long height = from; height < to; height++) {
                byte[] stored = db.get(family(Family.BLOCKS), heightKey(height));
                if (stored == null) {
                    continue;
                }
                Block block = verifiedBlock(height, stored);
                batch.delete(family(Family.BLOCK_INDEX), block.id().toByteArray());
                for (SignedTransaction tx : block.transactions()) {
                    batch.delete(family(Family.TX_INDEX), tx.id().toByteArray());
                }
            }
            for (Family family : List.of(Family.BLOCKS, Family.HEADERS, Family.CONSENSUS)) {
                batch.deleteRange(family(family), heightKey(from), heightKey(to));
            }
            batch.deleteRange(family(Family.RECEIPTS), heightKey(from), heightKey(to));
            batch.put(family(Family.META), META_PRUNED_BELOW, heightKey(to));
            db.write(syncWrites, batch);
            prunedBelow = to;
            // reclaim the space now rather than at some later compaction
            db.compactRange(family(Family.BLOCKS), heightKey(from), heightKey(to));
        } catch (RocksDBException e) {
            throw new StorageException("pruning heights " + from + ".." + (to - 1) + " failed: " + e.getMessage(), e);
        }
    }

    /** Decodes and verifies a stored block value: its id prefix must equal the hash of its bytes. */
    Block verifiedBlock(long height, byte[] stored) {
        if (stored.length < 33) {
            throw new CorruptionException(height, "block value of " + stored.length + " bytes is too short");
        }
        byte[] encoded = new byte[stored.length - 32];
        System.arraycopy(stored, 32, encoded, 0, encoded.length);
        Block block;
        try {
            block = codecs.decodeBlock(encoded);
        } catch (org.meshchain.core.codec.DecodeException e) {
            throw new CorruptionException(height, "stored block does not decode: " + e.getMessage());
        }
        byte[] storedId = new byte[32];
        System.arraycopy(stored, 0, storedId, 0, 32);
        Hash32 actualId = block.id();
        if (!actualId.equals(Hash32.of(storedId))) {
            throw new CorruptionException(height, "block hashes to " + actualId + " but was stored as " + Hash32.of(storedId));
        }
        if (block.header().height() != height) {
            throw new CorruptionException(height, "block at this key claims height " + block.header().height());
        }
        if (!block.txRootMatches()) {
            throw new CorruptionException(height, "transactions do not match the header's tx root");
        }
        return block;
    }

    /** A consistent read view (a RocksDB snapshot); close it when done. */
    public ChainView view() {
        checkOpen();
        return new ChainView(this, db, db.getSnapshot());
    }

    public Optional<Block> blockAt(long height) {
        try (ChainView view = view()) {
            return view.blockAt(height);
        }
    }

    public Optional<Block> blockById(Hash32 id) {
        try (ChainView view = view()) {
            return view.blockById(id);
        }
    }

    public Optional<TxLocation> transaction(Hash32 txId) {
        try (ChainView view = view()) {
            return view.transaction(txId);
        }
    }

    public Optional<QuorumCertificate> certificateAt(long height) {
        try (ChainView view = view()) {
            return view.certificateAt(height);
        }
    }

    DomainCodecs codecs() {
        return codecs;
    }

    void releaseSnapshot(Snapshot snapshot) {
        if (!closed) {
            db.releaseSnapshot(snapshot);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("chain store at " + directory + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(resources);
    }

    /** Closes in reverse order of opening: handles before the DB, the DB before its options. */
    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // closing must go on for the remaining handles; RocksDB close errors are not actionable here
            }
        }
        resources.clear();
    }
}
