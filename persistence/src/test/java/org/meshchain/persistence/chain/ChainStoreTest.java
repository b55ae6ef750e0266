package org.meshchain.persistence.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.meshchain.persistence.chain.ChainFixtures.block;
import static org.meshchain.persistence.chain.ChainFixtures.certificate;
import static org.meshchain.persistence.chain.ChainFixtures.commitNext;
import static org.meshchain.persistence.chain.ChainFixtures.delta;
import static org.meshchain.persistence.chain.ChainFixtures.receipts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;

class ChainStoreTest {

    @TempDir
    Path dir;

    private ChainStore store;

    @BeforeEach
    void open() {
        store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * {@code state_values} has a hash memtable (ADR 0072): point reads find entries by their whole
     * key, and a scan, which must see every entry in key order, is a total-order scan. Entries written
     * in two blocks, in random order, still unflushed, and overwritten or deleted across the blocks.
     */
    @Test
    void stateValuesInTheHashMemtableReadByKeyAndScanInKeyOrder() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(72);
        java.util.TreeMap<Hash32, byte[]> expected = new java.util.TreeMap<>();
        Block genesis = commitNext(store, 0, 0);
        expected.put(Hash32.of(ChainFixtures.LATEST_BLOCK_STATE_KEY), genesis.id().toByteArray());
        Block previous = genesis;
        for (int round = 0; round < 2; round++) {
            List<StateDelta.Write> writes = new ArrayList<>();
            List<Hash32> present = new ArrayList<>(expected.keySet());
            for (int i = 0; i < 300; i++) {
                byte[] path = new byte[32];
                random.nextBytes(path);
                byte[] value = new byte[1 + random.nextInt(40)];
                random.nextBytes(value);
                writes.add(StateDelta.Write.put(StateDelta.Column.VALUES, path, value));
                expected.put(Hash32.of(path), value);
            }
            for (int i = 0; i < present.size(); i += 3) {
                writes.add(StateDelta.Write.delete(StateDelta.Column.VALUES, present.get(i).toByteArray()));
                expected.remove(present.get(i));
            }
            java.util.Collections.shuffle(writes, new java.util.Random(round));
            Block next = block(previous.header().height() + 1, previous.id(), 1, round * 10L, 0);
            store.commitBlock(next, certificate(next), receipts(next), new StateDelta(writes));
            previous = next;
        }

        byte[] end = new byte[33];
        java.util.Arrays.fill(end, (byte) 0xFF);
        List<Hash32> scanned = new ArrayList<>();
        store.scanState(StateDelta.Column.VALUES, new byte[0], end, (key, value) -> {
            assertThat(value).isEqualTo(expected.get(Hash32.of(key)));
            return scanned.add(Hash32.of(key));
        });
        assertThat(scanned).containsExactlyElementsOf(expected.keySet());
        try (ChainView view = store.view()) {
            List<Hash32> viewScanned = new ArrayList<>();
            view.scanState(StateDelta.Column.VALUES, new byte[0], end, (key, value) -> viewScanned.add(Hash32.of(key)));
            assertThat(viewScanned).containsExactlyElementsOf(expected.keySet());
            // a range inside the key space starts at the right key, not at the start of a hash bucket
            Hash32 from = new ArrayList<>(expected.keySet()).get(expected.size() / 2);
            List<Hash32> tail = new ArrayList<>();
            view.scanState(StateDelta.Column.VALUES, from.toByteArray(), end, (key, value) -> tail.add(Hash32.of(key)));
            assertThat(tail).containsExactlyElementsOf(expected.tailMap(from, true).keySet());
            for (var entry : expected.entrySet()) {
                assertThat(view.state(StateDelta.Column.VALUES, entry.getKey().toByteArray())).hasValue(entry.getValue());
            }
        }
    }

    @Test
    void aStateValueKeyThatIsNotAStatePathIsRefused() {
        assertThatThrownBy(() -> StateDelta.Write.put(StateDelta.Column.VALUES, new byte[31], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32-byte state path, got 31 bytes");
    }

    /**
     * Tree nodes stay uncompressed down to the bottom level, where the other families' data is
     * ZSTD (ADR 0073): both families get compressible values, so only their options differ.
     */
    @Test
    void treeNodesAreStoredUncompressedAtEveryLevelAndStateValuesAreNot() throws Exception {
        List<StateDelta.Write> writes = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] repetitive = new byte[200];
            java.util.Arrays.fill(repetitive, (byte) (i % 3));
            writes.add(StateDelta.Write.put(StateDelta.Column.NODES, nodeKey(i), repetitive));
            writes.add(StateDelta.Write.put(StateDelta.Column.VALUES, java.util.Arrays.copyOfRange(nodeKey(i), 8, 40), repetitive));
        }
        store.writeState(new StateDelta(writes));
        store.compactFully(ChainStore.Family.STATE_NODES);
        store.compactFully(ChainStore.Family.STATE_VALUES);

        // values of 200 equal bytes: ZSTD keeps a few percent of them, no compression all of them
        assertThat(store.fileDataToRawRatios(ChainStore.Family.STATE_NODES)).isNotEmpty().allSatisfy(r -> assertThat(r).isGreaterThan(0.8));
        assertThat(store.fileDataToRawRatios(ChainStore.Family.STATE_VALUES)).isNotEmpty().allSatisfy(r -> assertThat(r).isLessThan(0.3));
        try (ChainView view = store.view()) {
            assertThat(view.state(StateDelta.Column.NODES, nodeKey(1999))).hasValueSatisfying(
                    v -> assertThat(v).hasSize(200).containsOnly(1999 % 3));
        }
    }

    /** A node key's shape: version (8, big-endian) || a 32-byte hash, here derived from {@code i}. */
    private static byte[] nodeKey(int i) {
        byte[] key = new byte[40];
        java.nio.ByteBuffer.wrap(key).putLong(1 + i / 500).putInt(i * 7919);
        return key;
    }

    @Test
    void committedBlocksReadBackWithIndexesReceiptsAndCertificates() throws Exception {
        Block genesis = commitNext(store, 0, 0);
        Block first = commitNext(store, 3, 0);

        assertThat(store.head()).contains(new ChainStore.Head(1, first.id()));
        assertThat(store.blockAt(0)).contains(genesis);
        assertThat(store.blockAt(1)).contains(first);
        assertThat(store.blockById(first.id())).contains(first);
        assertThat(store.blockAt(2)).isEmpty();
        assertThat(store.blockById(Hash32.ZERO)).isEmpty();
        assertThat(store.certificateAt(1)).contains(certificate(first));

        SignedTransaction second = first.transactions().get(1);
        ChainStore.TxLocation location = store.transaction(second.id()).orElseThrow();
        assertThat(location.height()).isEqualTo(1);
        assertThat(location.position()).isEqualTo(1);
        assertThat(location.receipt()).isEqualTo(receipts(first).get(1));
        try (ChainView view = store.view()) {
            assertThat(view.state(StateDelta.Column.VALUES, ChainFixtures.LATEST_BLOCK_STATE_KEY)).hasValueSatisfying(
                    v -> assertThat(v).isEqualTo(first.id().toByteArray()));
        }
    }

    @Test
    void theHeadSurvivesAReopen() throws Exception {
        commitNext(store, 1, 0);
        Block top = commitNext(store, 1, 0);
        store.close();
        store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        assertThat(store.head()).contains(new ChainStore.Head(1, top.id()));
        assertThat(commitNext(store, 1, 0).header().height()).isEqualTo(2);
    }

    private void assertRejected(Block block, QuorumCertificate qc, List<org.meshchain.core.codec.Bytes> receipts,
            Class<? extends StorageError> expected) {
        ChainStore.Head before = store.head().orElse(null);
        assertThatThrownBy(() -> store.commitBlock(block, qc, receipts, delta(block)))
                .isInstanceOfSatisfying(CommitRejectedException.class, e -> assertThat(e.error()).isInstanceOf(expected));
        assertThat(store.head().orElse(null)).isEqualTo(before);
        assertThat(store.blockById(block.id())).as("nothing of a rejected block is written").isEmpty();
        for (SignedTransaction tx : block.transactions()) {
            assertThat(store.transaction(tx.id())).isEmpty();
        }
    }

    @Test
    void invalidCommitsAreTypedErrorsAndWriteNothing() throws Exception {
        Block genesis = commitNext(store, 0, 0);

        Block skipsAHeight = block(2, genesis.id(), 1, 10, 0);
        assertRejected(skipsAHeight, certificate(skipsAHeight), receipts(skipsAHeight), StorageError.HeightMismatch.class);

        Block wrongParent = block(1, Hash32.ZERO, 1, 10, 0);
        assertRejected(wrongParent, certificate(wrongParent), receipts(wrongParent), StorageError.ParentMismatch.class);

        Block good = block(1, genesis.id(), 2, 10, 0);
        Block other = block(1, genesis.id(), 3, 10, 0);
        assertRejected(good, certificate(other), receipts(good), StorageError.CertificateMismatch.class);
        assertRejected(good, certificate(good), receipts(other), StorageError.ReceiptCountMismatch.class);

        Block forgedBody = new Block(good.header(), other.transactions());
        assertRejected(forgedBody, certificate(forgedBody), receipts(forgedBody), StorageError.TxRootMismatch.class);

        store.commitBlock(good, certificate(good), receipts(good), delta(good));
        assertThat(store.head().orElseThrow().blockId()).isEqualTo(good.id());
    }

    @Test
    void aBlockAtTheSizeLimitIsAcceptedAndOneByteOverIsRejected() throws Exception {
        Block genesis = commitNext(store, 0, 0);
        Block big = block(1, genesis.id(), 4, 10, 400);
        int size = DomainCodecs.encode(big).length;
        store.close();

        store = ChainStore.open(dir, ChainStoreConfig.DEFAULT.withMaxBlockBytes(size - 1), DomainCodecs.DEFAULT);
        assertThatThrownBy(() -> store.commitBlock(big, certificate(big), receipts(big), delta(big)))
                .isInstanceOfSatisfying(CommitRejectedException.class, e -> assertThat(e.error())
                        .isEqualTo(new StorageError.BlockTooLarge(size, size - 1)));
        store.close();

        store = ChainStore.open(dir, ChainStoreConfig.DEFAULT.withMaxBlockBytes(size), DomainCodecs.DEFAULT);
        store.commitBlock(big, certificate(big), receipts(big), delta(big));
        assertThat(store.blockAt(1)).contains(big);
    }

    @Test
    void aCorruptedStoredBlockIsReportedNotReturned() throws Exception {
        commitNext(store, 0, 0);
        Block victim = commitNext(store, 2, 0);
        store.close();

        // flip one bit inside the stored block bytes, behind the store's back
        RocksDB.loadLibrary();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (ChainStore.Family family : ChainStore.Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(family.columnFamilyName.getBytes()));
        }
        try (RocksDB raw = RocksDB.open(new org.rocksdb.DBOptions(), dir.toString(), descriptors, handles)) {
            ColumnFamilyHandle blocks = handles.get(ChainStore.Family.BLOCKS.ordinal() + 1);
            byte[] stored = raw.get(blocks, ChainStore.heightKey(1));
            stored[stored.length - 70] ^= 0x04;
            raw.put(blocks, ChainStore.heightKey(1), stored);
            handles.forEach(ColumnFamilyHandle::close);
        }

        store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        assertThatThrownBy(() -> store.blockAt(1))
                .isInstanceOfSatisfying(CorruptionException.class, e -> assertThat(e.height()).isEqualTo(1))
                .hasMessageContaining("height 1");
        assertThatThrownBy(() -> store.blockById(victim.id())).isInstanceOf(CorruptionException.class);
        assertThat(store.blockAt(0)).isPresent();
    }

    @Test
    void commitsPastTheQuotaAreRefusedAndTheStoreStaysUsable() throws Exception {
        store.close();
        store = ChainStore.open(dir, ChainStoreConfig.DEFAULT.withQuotaBytes(1 << 20), DomainCodecs.DEFAULT);
        commitNext(store, 0, 0);
        CommitRejectedException refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            try {
                commitNext(store, 20, 400);
            } catch (CommitRejectedException e) {
                refused = e;
            }
        }
        assertThat(refused).as("a 1 MiB quota must be reached by 200 blocks of ~10 KiB").isNotNull();
        assertThat(refused.error()).isInstanceOf(StorageError.QuotaExceeded.class);
        assertThat(refused).hasMessageContaining("quota");
        ChainStore.Head head = store.head().orElseThrow();
        assertThat(store.blockAt(head.height()).orElseThrow().id()).isEqualTo(head.blockId());
        assertThat(store.blockAt(head.height() + 1)).isEmpty();
    }

    @Test
    void pastTheHighWaterMarkOldBlocksBeyondRetentionArePruned() throws Exception {
        store.close();
        ChainStoreConfig pruning = new ChainStoreConfig(1L << 30, 1e-9, 5, 16 << 20, 8 << 20);
        store = ChainStore.open(dir, pruning, DomainCodecs.DEFAULT);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            blocks.add(commitNext(store, 2, 0));
        }
        assertThat(store.prunedBelow()).isEqualTo(15);
        assertThat(store.blockAt(14)).isEmpty();
        assertThat(store.blockById(blocks.get(3).id())).isEmpty();
        assertThat(store.transaction(blocks.get(3).transactions().get(0).id())).isEmpty();
        assertThat(store.certificateAt(10)).isEmpty();
        for (int h = 15; h < 20; h++) {
            assertThat(store.blockAt(h)).contains(blocks.get(h));
            assertThat(store.transaction(blocks.get(h).transactions().get(1).id())).isPresent();
        }
    }

    @Test
    void concurrentReadersSeeEitherTheOldOrTheNewHeadNeverAMix() throws Exception {
        commitNext(store, 0, 0);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong consistentReads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Thread reader = new Thread(() -> {
                try {
                    while (writing.get()) {
                        try (ChainView view = store.view()) {
                            ChainStore.Head head = view.head().orElseThrow();
                            Block block = view.blockAt(head.height()).orElseThrow(
                                    () -> new AssertionError("head " + head.height() + " has no block in the same view"));
                            assertThat(block.id()).isEqualTo(head.blockId());
                            assertThat(view.certificateAt(head.height()).orElseThrow().voteData().blockId())
                                    .isEqualTo(head.blockId());
                            assertThat(view.state(StateDelta.Column.VALUES, ChainFixtures.LATEST_BLOCK_STATE_KEY).orElseThrow())
                                    .isEqualTo(head.blockId().toByteArray());
                            assertThat(view.blockAt(head.height() + 1)).isEmpty();
                            consistentReads.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            reader.start();
            readers.add(reader);
        }
        try {
            for (int i = 0; i < 150 && failure.get() == null; i++) {
                commitNext(store, 3, 0);
            }
        } finally {
            writing.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
        }
        assertThat(failure.get()).isNull();
        assertThat(consistentReads.get()).isPositive();
        assertThat(store.head().orElseThrow().height()).isEqualTo(150);
    }

    @Test
    void aStoreFromAnotherSchemaVersionIsRefusedWithAClearMessage() throws Exception {
        assertSchemaRefused(99);
    }

    @Test
    void flushesAndCompactionsUseDirectIoWhereTheFileSystemHasIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChainStore.supportsDirectIo(dir), "the test directory's file system has no O_DIRECT");
        assertThat(store.directIoForFlushAndCompaction()).isTrue();
        assertThat(java.nio.file.Files.exists(dir.resolve("direct-io-probe"))).isFalse();
        // pruning compacts a range, which flushes the blocks' memtable first: both through direct I/O
        ChainStoreConfig pruning = new ChainStoreConfig(64L << 20, 0.02, 2, ChainStoreConfig.DEFAULT.maxBlockBytes(),
                ChainStoreConfig.DEFAULT.blockCacheBytes());
        store.close();
        store = ChainStore.open(dir.resolve("pruned"), pruning, DomainCodecs.DEFAULT);
        for (int i = 0; i < 20; i++) {
            ChainFixtures.commitNext(store, 5, 100);
        }
        assertThat(store.prunedBelow()).isPositive();
        assertThat(store.blockAt(19)).isPresent();
        store.close();
        store = ChainStore.open(dir.resolve("pruned"), pruning, DomainCodecs.DEFAULT);
        assertThat(store.head().orElseThrow().height()).isEqualTo(19);
        assertThat(store.blockAt(18)).isPresent();
    }

    /** Schema 2 kept one stale-node entry per node (ADR 0058): such a store is refused, not misread. */
    @Test
    void aStoreOfTheSchemaBeforeThePerVersionStaleIndexIsRefused() throws Exception {
        assertSchemaRefused(2);
    }

    private void assertSchemaRefused(int schema) throws Exception {
        store.close();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (ChainStore.Family family : ChainStore.Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(family.columnFamilyName.getBytes()));
        }
        try (RocksDB raw = RocksDB.open(new org.rocksdb.DBOptions(), dir.toString(), descriptors, handles)) {
            raw.put(handles.get(ChainStore.Family.META.ordinal() + 1), "schema_version".getBytes(),
                    java.nio.ByteBuffer.allocate(4).putInt(schema).array());
            handles.forEach(ColumnFamilyHandle::close);
        }
        assertThatThrownBy(() -> ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("schema version " + schema)
                .hasMessageContaining("reads version " + ChainStore.SCHEMA_VERSION);
        store = ChainStore.open(dir.resolve("fresh-" + schema), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
    }

    @Test
    void oneEncodingPerTransactionGivesTheCanonicalBlockBytesAndTheTxIds() {
        for (int txs : new int[] {0, 1, 127, 128, 300}) {
            Block block = ChainFixtures.block(3, Hash32.ZERO, txs, 0, txs % 7);
            ChainStore.EncodedBlock encoded = ChainStore.encodeWithTxIds(block);
            assertThat(encoded.bytes()).isEqualTo(DomainCodecs.encode(block));
            assertThat(encoded.txIds()).isEqualTo(block.transactions().stream().map(SignedTransaction::id).toList());
        }
    }

    @Test
    void aDamagedReceiptsValueIsCorruptionNotAWrongReceipt() {
        List<org.meshchain.core.codec.Bytes> receipts = List.of(org.meshchain.core.codec.Bytes.of(new byte[] {1, 2}),
                org.meshchain.core.codec.Bytes.of(new byte[0]), org.meshchain.core.codec.Bytes.of(new byte[] {3}));
        byte[] blob = ReceiptsBlob.encode(receipts);
        for (int i = 0; i < receipts.size(); i++) {
            assertThat(ReceiptsBlob.receiptAt(5, blob, i)).isEqualTo(receipts.get(i).toByteArray());
        }
        byte[] damaged = blob.clone();
        damaged[7] = 100; // first end offset points past the value
        assertThatThrownBy(() -> ReceiptsBlob.receiptAt(5, damaged, 0)).isInstanceOf(CorruptionException.class);
        assertThatThrownBy(() -> ReceiptsBlob.receiptAt(5, java.util.Arrays.copyOf(blob, blob.length - 1), 2))
                .isInstanceOf(CorruptionException.class);
        assertThatThrownBy(() -> ReceiptsBlob.receiptAt(5, blob, 3)).isInstanceOf(CorruptionException.class);
    }

    @Test
    void invalidConfigNamesKeyValueAndRule() {
        assertThatThrownBy(() -> ChainStoreConfig.DEFAULT.withQuotaBytes(10))
                .hasMessage("storage.quota-bytes = 10: must be at least 1 MiB");
        assertThatThrownBy(() -> ChainStoreConfig.DEFAULT.withRetentionBlocks(0))
                .hasMessage("storage.retention-blocks = 0: must be at least 1");
    }
}
