package org.meshchain.persistence.chain;

import java.util.Arrays;
import org.rocksdb.WriteBatch;

/**
 * Builds a RocksDB write batch in Java, in RocksDB's serialized batch format, and hands it to
 * RocksDB in one JNI call ({@link #toWriteBatch}) instead of one call per put. A block commit has
 * ~2,000 puts; each JNI put pins and copies its key and value arrays separately (ADR 0056).
 *
 * <p>The format is RocksDB's {@code WriteBatch} representation (db/write_batch.cc), which is also
 * the record format of its write-ahead log, so RocksDB keeps it stable: a 12-byte header (sequence
 * number, fixed64 little-endian, filled in by the write; entry count, fixed32 little-endian), then
 * one record per entry: a tag byte, the column family id (varint32) for tags of a named column
 * family, then the key and, for puts, the value, each as varint32 length + bytes.
 *
 * <p>Single-threaded; reusable after {@link #clear}.
 */
final class BatchBuilder {

    static final int HEADER_BYTES = 12;
    // tags of db/dbformat.h's ValueType
    static final byte TAG_DELETION = 0x0;
    static final byte TAG_VALUE = 0x1;
    static final byte TAG_COLUMN_FAMILY_DELETION = 0x4;
    static final byte TAG_COLUMN_FAMILY_VALUE = 0x5;

    private byte[] buffer;
    private int size;
    private int count;

    BatchBuilder(int initialCapacity) {
        buffer = new byte[Math.max(HEADER_BYTES + 64, initialCapacity)];
        clear();
    }

    /** Empties the builder, keeping its buffer. */
    void clear() {
        Arrays.fill(buffer, 0, HEADER_BYTES, (byte) 0);
        size = HEADER_BYTES;
        count = 0;
    }

    void put(int family, byte[] key, byte[] value) {
        putParts(family, key, null, value);
    }

    /** Puts {@code valuePrefix || value} without joining them into one array first. */
    void putParts(int family, byte[] key, byte[] valuePrefix, byte[] value) {
        int prefixLength = valuePrefix == null ? 0 : valuePrefix.length;
        int valueLength = prefixLength + value.length;
        ensure(1 + 5 + 5 + key.length + 5 + valueLength);
        tag(family, TAG_VALUE, TAG_COLUMN_FAMILY_VALUE);
        bytes(key);
        varint(valueLength);
        if (prefixLength > 0) {
            System.arraycopy(valuePrefix, 0, buffer, size, prefixLength);
            size += prefixLength;
        }
        System.arraycopy(value, 0, buffer, size, value.length);
        size += value.length;
        count++;
    }

    /** Puts {@code key[keyOffset..+keyLength)} → {@code value[valueOffset..+valueLength)}. */
    void put(int family, byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
        ensure(1 + 5 + 5 + keyLength + 5 + valueLength);
        tag(family, TAG_VALUE, TAG_COLUMN_FAMILY_VALUE);
        varint(keyLength);
        System.arraycopy(key, keyOffset, buffer, size, keyLength);
        size += keyLength;
        varint(valueLength);
        System.arraycopy(value, valueOffset, buffer, size, valueLength);
        size += valueLength;
        count++;
    }

    void delete(int family, byte[] key) {
        ensure(1 + 5 + 5 + key.length);
        tag(family, TAG_DELETION, TAG_COLUMN_FAMILY_DELETION);
        bytes(key);
        count++;
    }

    int count() {
        return count;
    }

    /** Bytes of the serialized batch (header included): what its write-ahead-log record carries. */
    int sizeBytes() {
        return size;
    }

    /** The serialized batch; a new array of {@link #sizeBytes()} bytes. */
    byte[] serialized() {
        byte[] out = Arrays.copyOf(buffer, size);
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (count >>> (8 * i));
        }
        return out;
    }

    /** A native batch holding these entries (one copy across JNI); the caller closes it. */
    WriteBatch toWriteBatch() {
        return new WriteBatch(serialized());
    }

    /** {@code family} is the column family's id ({@code ColumnFamilyHandle.getID()}; 0 = default). */
    private void tag(int family, byte defaultFamilyTag, byte namedFamilyTag) {
        if (family == 0) {
            buffer[size++] = defaultFamilyTag;
        } else {
            buffer[size++] = namedFamilyTag;
            varint(family);
        }
    }

    private void bytes(byte[] bytes) {
        varint(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void varint(int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            buffer[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buffer[size++] = (byte) v;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > buffer.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("write batch larger than 2 GiB");
            }
            buffer = Arrays.copyOf(buffer, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 16, 2L * buffer.length)));
        }
    }
}
