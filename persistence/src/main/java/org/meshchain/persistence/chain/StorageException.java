package org.meshchain.persistence.chain;

/** The storage engine failed (I/O error, RocksDB error, corruption). Unchecked: callers fail-stop. */
public class StorageException extends RuntimeException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
