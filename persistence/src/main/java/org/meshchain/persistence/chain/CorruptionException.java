package org.meshchain.persistence.chain;

/**
 * Stored bytes failed verification on read (hash mismatch, undecodable, wrong height). Never
 * returned as data: the node treats this as a storage failure (fail-stop), not as a missing block.
 */
public final class CorruptionException extends StorageException {

    private final long height;

    public CorruptionException(long height, String detail) {
        super("corruption at height " + height + ": " + detail);
        this.height = height;
    }

    public long height() {
        return height;
    }
}
