package org.meshchain.core.consensus;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.VoteData;

/**
 * Consensus parameters (docs/adr/0003-consensus-protocol.md). Everything that must agree across
 * nodes (validators, genesis, reputation window, limits) is protocol; the timer values are local.
 *
 * @param genesisBlockId       id of the genesis block (height 0, round 0), from the genesis file
 * @param genesisStateRoot     state root after applying genesis
 * @param baseTimeoutMs        round timer base; grows as base x 1.2^min(k, maxBackoffExponent)
 * @param maxBackoffExponent   cap of the exponent (6: about 3x the base at most)
 * @param timeoutRebroadcastMs interval at which a node stuck in a round re-broadcasts its timeout
 * @param minBlockIntervalMs   a leader proposes no earlier than parent timestamp + this
 * @param maxClockSkewMs       a proposal's timestamp may be at most this far ahead of local time
 * @param reputationWindow     rounds of committed history that decide who is an active proposer
 * @param reputationLag        the window ends this many rounds before the round being led
 * @param reviveEvery          every this-many rounds plain round-robin is used, so skipped validators get back in
 * @param maxRoundsAhead       votes/timeouts/proposals further than this above the current round are dropped
 * @param maxUncommittedBlocks bound on the block tree above the committed head
 * @param maxPendingTransactions bound on local transactions waiting to be proposed
 * @param maxBlockTransactions transactions per block
 * @param maxBlockBytes        encoded block size limit
 * @param maxSyncBlocks        blocks per sync response
 * @param syncRetryMs          minimum interval between sync requests
 * @param syncLagBlocks        a QC this many heights above the committed head makes the node sync by itself
 */
public record ConsensusConfig(
        ChainId chainId,
        ValidatorSet validators,
        Hash32 genesisBlockId,
        Hash32 genesisStateRoot,
        long baseTimeoutMs,
        int maxBackoffExponent,
        long timeoutRebroadcastMs,
        long minBlockIntervalMs,
        long maxClockSkewMs,
        int reputationWindow,
        int reputationLag,
        int reviveEvery,
        int maxRoundsAhead,
        int maxUncommittedBlocks,
        int maxPendingTransactions,
        int maxBlockTransactions,
        int maxBlockBytes,
        int maxSyncBlocks,
        long syncRetryMs,
        int syncLagBlocks) {

    public ConsensusConfig {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(validators, "validators");
        Objects.requireNonNull(genesisBlockId, "genesisBlockId");
        Objects.requireNonNull(genesisStateRoot, "genesisStateRoot");
        positive("baseTimeoutMs", baseTimeoutMs);
        positive("timeoutRebroadcastMs", timeoutRebroadcastMs);
        positive("reputationWindow", reputationWindow);
        positive("reputationLag", reputationLag);
        positive("reviveEvery", reviveEvery);
        positive("maxRoundsAhead", maxRoundsAhead);
        positive("maxUncommittedBlocks", maxUncommittedBlocks);
        positive("maxPendingTransactions", maxPendingTransactions);
        positive("maxBlockTransactions", maxBlockTransactions);
        positive("maxBlockBytes", maxBlockBytes);
        positive("maxSyncBlocks", maxSyncBlocks);
        positive("syncRetryMs", syncRetryMs);
        positive("syncLagBlocks", syncLagBlocks);
        if (maxBackoffExponent < 0 || maxBackoffExponent > 20) {
            throw new IllegalArgumentException("maxBackoffExponent must be in 0..20, got " + maxBackoffExponent);
        }
        if (minBlockIntervalMs < 0 || maxClockSkewMs < 0) {
            throw new IllegalArgumentException("minBlockIntervalMs and maxClockSkewMs must be >= 0");
        }
        if (maxUncommittedBlocks < maxSyncBlocks + 8) {
            throw new IllegalArgumentException("maxUncommittedBlocks must leave room for a sync batch: >= maxSyncBlocks + 8");
        }
    }

    /** Production defaults (ADR 0003). */
    public static ConsensusConfig defaults(ChainId chainId, ValidatorSet validators, Hash32 genesisBlockId, Hash32 genesisStateRoot) {
        return new ConsensusConfig(chainId, validators, genesisBlockId, genesisStateRoot,
                1_000, 6, 2_000, 200, 5_000,
                30, 10, 10,
                100, 512, 50_000, 5_000, 8 * 1024 * 1024, 100, 1_000, 20);
    }

    public ConsensusConfig withTimers(long baseTimeoutMs, long timeoutRebroadcastMs, long minBlockIntervalMs) {
        return new ConsensusConfig(chainId, validators, genesisBlockId, genesisStateRoot, baseTimeoutMs, maxBackoffExponent,
                timeoutRebroadcastMs, minBlockIntervalMs, maxClockSkewMs, reputationWindow, reputationLag, reviveEvery,
                maxRoundsAhead, maxUncommittedBlocks, maxPendingTransactions, maxBlockTransactions, maxBlockBytes,
                maxSyncBlocks, syncRetryMs, syncLagBlocks);
    }

    public ConsensusConfig withSync(int maxSyncBlocks, long syncRetryMs, int syncLagBlocks) {
        return new ConsensusConfig(chainId, validators, genesisBlockId, genesisStateRoot, baseTimeoutMs, maxBackoffExponent,
                timeoutRebroadcastMs, minBlockIntervalMs, maxClockSkewMs, reputationWindow, reputationLag, reviveEvery,
                maxRoundsAhead, Math.max(maxUncommittedBlocks, maxSyncBlocks + 8), maxPendingTransactions,
                maxBlockTransactions, maxBlockBytes, maxSyncBlocks, syncRetryMs, syncLagBlocks);
    }

    /** The genesis QC: certifies the genesis block, carries no signatures, and is valid only exactly as computed here. */
    public QuorumCertificate genesisQc() {
        return new QuorumCertificate(new VoteData(genesisBlockId, 0, 0, genesisStateRoot, Hash32.ZERO), List.of());
    }

    /** Round timer for a round that follows {@code roundsWithoutProgress} timed-out rounds. */
    public long roundTimeoutMs(long roundsWithoutProgress) {
        int k = (int) Math.min(Math.max(0, roundsWithoutProgress), maxBackoffExponent);
        return Math.round(baseTimeoutMs * Math.pow(1.2, k));
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
