package org.meshchain.node;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.meshchain.core.types.Address;

/**
 * What the node's actors publish about their progress for readers on other threads (NodeServices,
 * the devnet status line, readiness): written by one actor each, read anywhere, never blocking.
 */
public final class NodeState {

    final AtomicLong committedHeight = new AtomicLong();
    final AtomicLong round = new AtomicLong();
    final AtomicReference<Address> leader = new AtomicReference<>();
    final AtomicLong committedTransactions = new AtomicLong();
    final AtomicLong timeoutsSent = new AtomicLong();
    volatile boolean syncing;
    /** Set by the SyncActor while it has taken over from consensus (ADR 0040). */
    volatile boolean bulkSyncing;
    final AtomicLong bulkSyncSessions = new AtomicLong();
    final AtomicLong bulkSyncedBlocks = new AtomicLong();
    volatile int mempoolSize;
    volatile boolean storageOpen = true;
    volatile boolean consensusRunning;
    /** How many ready transactions the mempool hands consensus at a time (sized by execution speed). */
    volatile int proposalFeed = 200;

    public void committed(long height, int transactions) {
        committedHeight.set(height);
        committedTransactions.addAndGet(transactions);
    }

    public void consensusProgress(long currentRound, Address currentLeader) {
        round.set(currentRound);
        leader.set(currentLeader);
        consensusRunning = true;
    }

    public void timeoutSent() {
        timeoutsSent.incrementAndGet();
    }

    public void setSyncing(boolean value) {
        syncing = value;
    }

    public void setMempoolSize(int size) {
        mempoolSize = size;
    }

    public void setStorageOpen(boolean open) {
        storageOpen = open;
    }

    public void setConsensusRunning(boolean running) {
        consensusRunning = running;
    }

    public void setProposalFeed(int transactions) {
        proposalFeed = transactions;
    }

    public int proposalFeed() {
        return proposalFeed;
    }

    public long committedHeight() {
        return committedHeight.get();
    }

    public long round() {
        return round.get();
    }

    public Optional<Address> leader() {
        return Optional.ofNullable(leader.get());
    }

    public long committedTransactions() {
        return committedTransactions.get();
    }

    public long timeoutsSent() {
        return timeoutsSent.get();
    }

    /** Catching up: the consensus core's own sync, or bulk sync (readiness fails meanwhile). */
    public boolean syncing() {
        return syncing || bulkSyncing;
    }

    public void setBulkSyncing(boolean value) {
        bulkSyncing = value;
    }

    public boolean bulkSyncing() {
        return bulkSyncing;
    }

    public void bulkSyncSessionStarted() {
        bulkSyncSessions.incrementAndGet();
    }

    public long bulkSyncSessions() {
        return bulkSyncSessions.get();
    }

    public void bulkSyncedBlock() {
        bulkSyncedBlocks.incrementAndGet();
    }

    /** Blocks committed by bulk sync since the node started. */
    public long bulkSyncedBlocks() {
        return bulkSyncedBlocks.get();
    }

    public int mempoolSize() {
        return mempoolSize;
    }

    public boolean storageOpen() {
        return storageOpen;
    }

    public boolean consensusRunning() {
        return consensusRunning;
    }
}
