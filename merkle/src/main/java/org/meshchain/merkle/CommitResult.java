package org.meshchain.merkle;

import org.meshchain.core.crypto.Hash32;

/** Outcome of applying one batch: the new version, its root, and how many nodes it created and made stale. */
public record CommitResult(long version, Hash32 root, int nodesCreated, int nodesMadeStale) {
}
