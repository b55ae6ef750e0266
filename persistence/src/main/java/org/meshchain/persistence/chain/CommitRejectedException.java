package org.meshchain.persistence.chain;

/** A commit was refused by validation or quota; the store is unchanged. */
public final class CommitRejectedException extends Exception {

    private final StorageError error;

    public CommitRejectedException(StorageError error) {
        super(error.describe());
        this.error = error;
    }

    public StorageError error() {
        return error;
    }
}
