package org.meshchain.persistence.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The Java-built batch must be exactly what RocksDB's own WriteBatch puts and deletes produce. */
class BatchBuilderTest {

    @TempDir
    Path dir;

    @Test
    void serializedBatchEqualsRocksDbsOwnForPutsDeletesAndEveryLengthClass() throws Exception {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (int i = 1; i <= 3; i++) {
            descriptors.add(new ColumnFamilyDescriptor(("family" + i).getBytes(StandardCharsets.US_ASCII)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
                RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
                WriteBatch expected = new WriteBatch();
                WriteOptions writeOptions = new WriteOptions()) {
            BatchBuilder builder = new BatchBuilder(16);
            SplittableRandom random = new SplittableRandom(5);
            List<byte[][]> live = new ArrayList<>();
            // lengths across the varint boundaries (1, 2 and 3 bytes), empty values, every family
            int[] lengths = {0, 1, 31, 127, 128, 300, 16_383, 16_384, 70_000};
            for (int i = 0; i < 60; i++) {
                ColumnFamilyHandle family = handles.get(i % handles.size());
                byte[] key = bytes(random, 1 + random.nextInt(40));
                key[0] = (byte) i; // distinct keys
                if (i % 7 == 3) {
                    expected.delete(family, key);
                    builder.delete(family.getID(), key);
                } else if (i % 5 == 0) {
                    byte[] prefix = bytes(random, 32);
                    byte[] value = bytes(random, lengths[i % lengths.length]);
                    byte[] joined = new byte[prefix.length + value.length];
                    System.arraycopy(prefix, 0, joined, 0, prefix.length);
                    System.arraycopy(value, 0, joined, prefix.length, value.length);
                    expected.put(family, key, joined);
                    builder.putParts(family.getID(), key, prefix, value);
                    live.add(new byte[][] {new byte[] {(byte) (i % handles.size())}, key, joined});
                } else {
                    byte[] value = bytes(random, lengths[i % lengths.length]);
                    expected.put(family, key, value);
                    builder.put(family.getID(), key, value);
                    live.add(new byte[][] {new byte[] {(byte) (i % handles.size())}, key, value});
                }
            }
            assertThat(builder.count()).isEqualTo(expected.count());
            assertThat(builder.serialized()).isEqualTo(expected.data());
            assertThat(builder.sizeBytes()).isEqualTo(expected.data().length);

            // and RocksDB applies it: every put reads back from its family
            try (WriteBatch built = builder.toWriteBatch()) {
                db.write(writeOptions, built);
            }
            for (byte[][] entry : live) {
                assertThat(db.get(handles.get(entry[0][0]), entry[1])).isEqualTo(entry[2]);
            }

            builder.clear();
            assertThat(builder.count()).isZero();
            try (WriteBatch empty = new WriteBatch()) {
                assertThat(builder.serialized()).isEqualTo(empty.data());
            }
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private static byte[] bytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
