package org.meshchain.node.execution;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.state.PrecomputedVersion;

/**
 * The outcome of executing one block: the roots its votes certify, one canonical receipt per
 * transaction, and the block's state writes (final value per path, sorted by path) — the overlay that
 * later blocks read through and that the store stages and commits.
 *
 * <p>{@code treeVersion} (may be null) is the block's state tree version as the executor computed it
 * on top of its parent's (ADR 0057), see {@link #treeVersion()}. The
 * store writes it instead of recomputing the tree, and children of the block compute theirs on top of
 * it. It is derived data, held in memory only: never persisted (a block reloaded after a restart has
 * none, and the store then computes the version itself), and left out of {@link #equals}, which
 * compares what the block's votes and receipts depend on.
 */
public record ExecutedBlock(
        Hash32 blockId,
        long height,
        Hash32 stateRoot,
        Hash32 receiptRoot,
        List<Bytes> receipts,
        List<SmtUpdate> stateUpdates,
        long gasUsed,
        PrecomputedVersion treeVersion) {

    public ExecutedBlock {
        receipts = List.copyOf(receipts);
        stateUpdates = List.copyOf(stateUpdates);
        if (treeVersion != null && treeVersion.version() != height + 1) {
            throw new IllegalArgumentException("the tree version of the block at height " + height + " is version "
                    + (height + 1) + ", not " + treeVersion.version());
        }
    }

    /** Without a precomputed tree version (the store computes it at commit). */
    public ExecutedBlock(Hash32 blockId, long height, Hash32 stateRoot, Hash32 receiptRoot, List<Bytes> receipts,
            List<SmtUpdate> stateUpdates, long gasUsed) {
        this(blockId, height, stateRoot, receiptRoot, receipts, stateUpdates, gasUsed, null);
    }

    /**
     * The block's state tree version, state version {@code height + 1} (the state after this block),
     * computed on top of its parent's version; null if not computed or dropped.
     */
    @Override
    public PrecomputedVersion treeVersion() {
        return treeVersion;
    }

    /** This result without its tree version: what to keep when the version's memory is not wanted. */
    public ExecutedBlock withoutTreeVersion() {
        return treeVersion == null ? this
                : new ExecutedBlock(blockId, height, stateRoot, receiptRoot, receipts, stateUpdates, gasUsed, null);
    }

    /** Tree nodes this result holds in memory (0 without a tree version). */
    public int treeNodesHeld() {
        return treeVersion == null ? 0 : treeVersion.commit().newNodes().size() + treeVersion.commit().staleNodes().size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecutedBlock other && height == other.height && gasUsed == other.gasUsed
                && blockId.equals(other.blockId) && stateRoot.equals(other.stateRoot) && receiptRoot.equals(other.receiptRoot)
                && receipts.equals(other.receipts) && stateUpdates.equals(other.stateUpdates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(blockId, height, stateRoot, receiptRoot, receipts, stateUpdates, gasUsed);
    }

    @Override
    public String toString() {
        return "ExecutedBlock[" + blockId + " at " + height + ", state root " + stateRoot + ", receipt root " + receiptRoot
                + ", " + receipts.size() + " receipts, " + stateUpdates.size() + " state updates, gas " + gasUsed
                + (treeVersion == null ? "" : ", " + treeVersion) + "]";
    }
}
