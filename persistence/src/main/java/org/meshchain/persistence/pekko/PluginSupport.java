package org.meshchain.persistence.pekko;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.rocksdb.RocksDB;

/**
 * Key layout and configuration shared by the journal and the snapshot store.
 * Keys are {@code u16 length || persistenceId UTF-8 || big-endian fields}, so one persistence id's
 * entries are contiguous and ordered by sequence number, and no id is a prefix of another's range.
 */
final class PluginSupport {

    static final int MAX_PERSISTENCE_ID_BYTES = 1024;

    static {
        RocksDB.loadLibrary();
    }

    private PluginSupport() {
    }

    static byte[] prefix(String persistenceId) {
        byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > MAX_PERSISTENCE_ID_BYTES) {
            throw new IllegalArgumentException("persistence id must be 1.." + MAX_PERSISTENCE_ID_BYTES
                    + " UTF-8 bytes, got " + id.length);
        }
        return ByteBuffer.allocate(2 + id.length).putShort((short) id.length).put(id).array();
    }

    /** {@code prefix || longs...} with each long big-endian (non-negative values sort numerically). */
    static byte[] key(byte[] prefix, long... fields) {
        ByteBuffer buffer = ByteBuffer.allocate(prefix.length + 8 * fields.length).put(prefix);
        for (long field : fields) {
            buffer.putLong(field);
        }
        return buffer.array();
    }

    static boolean hasPrefix(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    static long longAt(byte[] key, int offset) {
        return ByteBuffer.wrap(key, offset, 8).getLong();
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    /** The plugin's data directory, created if missing; a clear error names the key and value. */
    static Path directory(Config config, String pluginName) {
        String dir = config.getString("dir");
        Path path = Path.of(dir).toAbsolutePath();
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new IllegalStateException(pluginName + ".dir = \"" + dir + "\": cannot create directory: " + e, e);
        }
        if (!Files.isWritable(path)) {
            throw new IllegalStateException(pluginName + ".dir = \"" + dir + "\": directory is not writable");
        }
        return path;
    }

    static int positiveBytes(Config config, String key, String pluginName) {
        long value = config.getBytes(key);
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new IllegalStateException(pluginName + "." + key + " = " + value + ": must be in 1.." + Integer.MAX_VALUE);
        }
        return (int) value;
    }
}
