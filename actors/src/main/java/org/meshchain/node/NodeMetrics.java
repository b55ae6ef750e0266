package org.meshchain.node;

import org.meshchain.core.types.Block;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.metrics.Metrics;

/** The node's own series in the shared registry (DESIGN 8: height, round, timeouts, TPS, latency, mempool, peers). */
public final class NodeMetrics implements org.meshchain.node.peers.PeerManager.PeerMetrics {

    final Metrics.Histogram commitLatencySeconds;
    final Metrics.Histogram storeCommitSeconds;
    final Metrics.Histogram executionSeconds;
    final Metrics.Counter committedTransactions;
    final Metrics.Counter gasUsed;
    final Metrics.Counter unsuccessfulTransactions;
    final Metrics.Counter peerPenalties;
    final Metrics.Counter peerBans;
    final Metrics.Counter peerDropped;
    final Metrics.Counter mempoolRejections;
    private final TpsMeter tps = new TpsMeter();
    final Metrics.Counter verifiedSignatureLookups;
    final Metrics.Counter bulkSyncBlocks;
    final Metrics.Counter bulkSyncRejected;
    final Metrics.Counter bulkSyncSessions;
    final Metrics.Counter stateVersionsStaged;

    public NodeMetrics(Metrics registry, NodeState state) {
        registry.gauge("meshchain_committed_height", "Height of the last committed block", state::committedHeight);
        registry.gauge("meshchain_consensus_round", "Current consensus round", state::round);
        registry.gauge("meshchain_consensus_timeouts_total", "Timeouts this validator signed", state::timeoutsSent);
        registry.gauge("meshchain_mempool_size", "Transactions pending in the mempool", state::mempoolSize);
        registry.gauge("meshchain_tps", "Successful committed transactions per second over the last 10 s", this::tps);
        registry.gauge("meshchain_syncing", "1 while catching up with the network", () -> state.syncing() ? 1 : 0);
        committedTransactions = registry.counter("meshchain_committed_transactions_total",
                "Transactions committed and successful");
        unsuccessfulTransactions = registry.counter("meshchain_unsuccessful_transactions_total",
                "Transactions in committed blocks that failed or were discarded (e.g. included twice)", "status");
        gasUsed = registry.counter("meshchain_gas_used_total", "Gas used by committed blocks");
        commitLatencySeconds = registry.histogram("meshchain_commit_latency_seconds",
                "From a block's proposal timestamp to its commit on this node", 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30);
        storeCommitSeconds = registry.histogram("meshchain_store_commit_seconds", "Writing one block (synced batch)",
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1);
        executionSeconds = registry.histogram("meshchain_block_execution_seconds", "Executing one block",
                0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5);
        peerPenalties = registry.counter("meshchain_peer_penalties_total", "Penalties applied to peers", "reason");
        peerBans = registry.counter("meshchain_peer_bans_total", "Peers banned", "peer");
        peerDropped = registry.counter("meshchain_peer_dropped_messages_total", "Inbound peer messages dropped", "reason");
        verifiedSignatureLookups = registry.counter("meshchain_verified_signature_cache_lookups_total",
                "Executor lookups in the cache of signatures the mempool verified (hit: not verified again)", "result");
        bulkSyncBlocks = registry.counter("meshchain_bulk_sync_blocks_total", "Blocks committed by bulk sync");
        bulkSyncRejected = registry.counter("meshchain_bulk_sync_rejected_total",
                "Bulk sync responses rejected (peer dropped and penalised)", "reason");
        bulkSyncSessions = registry.counter("meshchain_bulk_sync_sessions_total", "Times this node switched to bulk sync");
        stateVersionsStaged = registry.counter("meshchain_store_state_versions_total",
                "State tree versions committed: precomputed by the executor, or recomputed by the store (ADR 0057)", "path");
        mempoolRejections = registry.counter("meshchain_mempool_rejections_total", "Transactions refused", "reason");
    }

    /** Counts the executor's signature cache hits and misses. */
    public org.meshchain.node.execution.VerifiedSignatures.Listener verifiedSignatureListener() {
        return new org.meshchain.node.execution.VerifiedSignatures.Listener() {
            @Override
            public void hit() {
                verifiedSignatureLookups.inc("hit");
            }

            @Override
            public void miss() {
                verifiedSignatureLookups.inc("miss");
            }
        };
    }

    /** Returns the number of transactions that succeeded (discarded and failed ones are counted apart). */
    int onCommit(Block block, ExecutedBlock executed) {
        int count = 0;
        for (org.meshchain.core.codec.Bytes receipt : executed.receipts()) {
            try {
                org.meshchain.core.ledger.Receipt decoded = org.meshchain.core.ledger.Receipt.decode(receipt);
                if (decoded.succeeded()) {
                    count++;
                } else {
                    unsuccessfulTransactions.inc(decoded.status().name().toLowerCase());
                }
            } catch (org.meshchain.core.codec.DecodeException e) {
                unsuccessfulTransactions.inc("undecodable_receipt");
            }
        }
        committedTransactions.add(count);
        gasUsed.add(executed.gasUsed());
        tps.add(count);
        long latencyMs = System.currentTimeMillis() - block.header().timestampMs();
        if (latencyMs >= 0) {
            commitLatencySeconds.observe(latencyMs / 1000.0);
        }
        return count;
    }

    @Override
    public void dropped(String reason) {
        peerDropped.inc(reason);
    }

    @Override
    public void penalty(String reason) {
        peerPenalties.inc(reason);
    }

    @Override
    public void banned(org.meshchain.core.types.Address peer) {
        peerBans.inc(peer.toHex().substring(0, 16));
    }

    public double tps() {
        return tps.rate();
    }

    /** Committed transactions per second over a sliding 10 s window of 1 s buckets. */
    static final class TpsMeter {
        private static final int SECONDS = 10;
        private final long[] counts = new long[SECONDS];
        private final long[] stamps = new long[SECONDS];

        synchronized void add(int n) {
            long second = System.currentTimeMillis() / 1000;
            int slot = (int) (second % SECONDS);
            if (stamps[slot] != second) {
                stamps[slot] = second;
                counts[slot] = 0;
            }
            counts[slot] += n;
        }

        synchronized double rate() {
            long now = System.currentTimeMillis() / 1000;
            long sum = 0;
            for (int i = 0; i < SECONDS; i++) {
                if (now - stamps[i] < SECONDS && now - stamps[i] >= 1) {
                    sum += counts[i];
                }
            }
            return sum / (double) (SECONDS - 1);
        }
    }
}
