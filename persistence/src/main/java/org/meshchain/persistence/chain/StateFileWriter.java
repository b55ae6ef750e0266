package org.meshchain.persistence.chain;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * One SST file of state entries for one column family, written outside the database (no log, no
 * memtable) and added to it whole by {@link ChainStore#ingestSnapshotFiles}. Keys must come in
 * strictly increasing unsigned byte order; RocksDB refuses anything else. {@link #finish()} syncs
 * the file.
 */
public final class StateFileWriter implements AutoCloseable {

    private final StateDelta.Column column;
    private final Path file;
    private final SstFileWriter writer;
    /** Reused direct buffers: a put through them passes addresses to RocksDB instead of copying Java arrays. */
    private ByteBuffer keyBuffer = ByteBuffer.allocateDirect(64);
    private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(1024);
    private long entries;
    private boolean finished;

    StateFileWriter(StateDelta.Column column, Path file, EnvOptions envOptions, Options options) {
        this.column = column;
        this.file = file;
        this.writer = new SstFileWriter(envOptions, options);
        try {
            writer.open(file.toString());
        } catch (RocksDBException e) {
            writer.close();
            throw new StorageException("cannot create the state file " + file + ": " + e.getMessage(), e);
        }
    }

    public StateDelta.Column column() {
        return column;
    }

    public Path file() {
        return file;
    }

    public long entries() {
        return entries;
    }

    public void put(byte[] key, byte[] value) {
        put(key, 0, key.length, value, 0, value.length);
    }

    /** Puts {@code key[keyOffset, +keyLength)} → {@code value[valueOffset, +valueLength)}. */
    public void put(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength) {
        if (keyBuffer.capacity() < keyLength) {
            keyBuffer = ByteBuffer.allocateDirect(keyLength);
        }
        if (valueBuffer.capacity() < valueLength) {
            valueBuffer = ByteBuffer.allocateDirect(Math.max(valueLength, 2 * valueBuffer.capacity()));
        }
        keyBuffer.clear();
        keyBuffer.put(key, keyOffset, keyLength).flip();
        valueBuffer.clear();
        valueBuffer.put(value, valueOffset, valueLength).flip();
        try {
            writer.put(keyBuffer, valueBuffer);
        } catch (RocksDBException e) {
            throw new StorageException("writing entry " + entries + " of " + file + " failed: " + e.getMessage(), e);
        }
        entries++;
    }

    /**
     * Completes and syncs the file. Returns false, and leaves no file, when nothing was put (RocksDB
     * cannot make an SST file without entries).
     */
    public boolean finish() {
        if (finished) {
            throw new IllegalStateException(file + " is already finished");
        }
        finished = true;
        if (entries == 0) {
            return false;
        }
        try {
            writer.finish();
        } catch (RocksDBException e) {
            throw new StorageException("finishing " + file + " failed: " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public void close() {
        writer.close();
    }
}
