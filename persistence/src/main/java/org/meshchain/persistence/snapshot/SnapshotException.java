package org.meshchain.persistence.snapshot;

/** A snapshot file is malformed, tampered with, truncated, or does not match its certificate. Names the chunk. */
public final class SnapshotException extends Exception {

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }

    static SnapshotException inChunk(int index, int total, String detail) {
        return new SnapshotException("chunk " + index + " of " + total + ": " + detail);
    }
}
