package org.meshchain.persistence.snapshot;

/** Progress of a long snapshot operation, reported after each chunk. */
@FunctionalInterface
public interface SnapshotProgress {

    SnapshotProgress NONE = (chunksDone, chunksTotal, bytesDone) -> { };

    void chunkDone(int chunksDone, int chunksTotal, long bytesDone);
}
