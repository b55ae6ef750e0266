package org.meshchain.node.execution;

import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.SmtUpdate;

/**
 * The outcome of executing one block: the roots its votes certify, one canonical receipt per
 * transaction, and the block's state writes (final value per path, sorted by path) — the overlay that
 * later blocks read through and that the store stages and commits.
 */
public record ExecutedBlock(
        Hash32 blockId,
        long height,
        Hash32 stateRoot,
        Hash32 receiptRoot,
        List<Bytes> receipts,
        List<SmtUpdate> stateUpdates,
        long gasUsed) {

    public ExecutedBlock {
        receipts = List.copyOf(receipts);
        stateUpdates = List.copyOf(stateUpdates);
    }
}
