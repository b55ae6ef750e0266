package org.meshchain.node.execution;

import java.util.Objects;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.node.metrics.Metrics;

/**
 * The executor's metrics (DESIGN 8: executor parallelism, gas used): blocks by outcome, transactions by
 * receipt status, gas, block execution time, and the parallelism the last block allowed (transactions
 * per step of its longest dependency chain: 1 for a fully serial block, n for one without conflicts).
 */
public final class ExecutionMetrics {

    private final Metrics.Counter blocks;
    private final Metrics.Counter transactions;
    private final Metrics.Counter gas;
    private final Metrics.Histogram seconds;
    private final Metrics.Counter phaseSeconds;
    private volatile double availableParallelism;

    public ExecutionMetrics(Metrics metrics, int executors) {
        Objects.requireNonNull(metrics, "metrics");
        blocks = metrics.counter("meshchain_executor_blocks_total", "Blocks handed to the executor, by outcome", "outcome");
        transactions = metrics.counter("meshchain_executor_transactions_total", "Executed transactions, by receipt status", "status");
        gas = metrics.counter("meshchain_executor_gas_used_total", "Contract gas used by executed blocks");
        seconds = metrics.histogram("meshchain_executor_block_seconds", "Wall time to execute a block (roots included)",
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
        phaseSeconds = metrics.counter("meshchain_executor_phase_seconds_total",
                "Wall time of executed blocks by phase: open (pre-state), prepare (signatures, access sets; parallel), schedule "
                        + "(conflict graph), run (transactions; parallel), finish (merge, fees, roots)", "phase");
        metrics.gauge("meshchain_executor_executors", "Executor actors in the pool", () -> executors);
        metrics.gauge("meshchain_executor_available_parallelism",
                "Transactions per step of the last block's longest dependency chain", () -> availableParallelism);
    }

    void executed(ExecutedBlock block, Receipt[] receipts, int criticalPath, long nanos) {
        blocks.inc("executed");
        for (Receipt r : receipts) {
            transactions.inc(r.status().name().toLowerCase(java.util.Locale.ROOT));
        }
        gas.add(block.gasUsed());
        seconds.observe(nanos / 1e9);
        availableParallelism = criticalPath == 0 ? 0 : (double) receipts.length / criticalPath;
    }

    /** The phase names of {@link #phaseSeconds}, in block order. */
    public static final java.util.List<String> PHASES = java.util.List.of("open", "prepare", "schedule", "run", "finish");

    /** {@code nanos[i]} is the wall time of phase {@code PHASES.get(i)} of one executed block. */
    void phases(long[] nanos) {
        for (int i = 0; i < PHASES.size(); i++) {
            phaseSeconds.add(Math.max(0, nanos[i]) / 1e9, PHASES.get(i));
        }
    }

    /** Total wall time of executed blocks spent in {@code phase} so far, in seconds. */
    public double phaseSeconds(String phase) {
        if (!PHASES.contains(phase)) {
            throw new IllegalArgumentException("unknown executor phase " + phase + ", expected one of " + PHASES);
        }
        return phaseSeconds.value(phase);
    }

    void failed() {
        blocks.inc("failed");
    }

    void refused() {
        blocks.inc("refused");
    }
}
