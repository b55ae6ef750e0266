package org.meshchain.node.execution;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.meshchain.core.execution.BlockExecution;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.types.Block;

/**
 * The reference {@link BlockExecutor}: transactions one after the other in block order, each signature
 * verified inline. The parallel {@link ExecutorPool} must produce exactly its output.
 */
public final class SerialBlockExecutor implements BlockExecutor {

    private final Ledger ledger;
    private final CommittedState committed;
    private final Executor executor;

    /**
     * @param ledger    ledger rules (chain id, gas cap) with the contract runtime
     * @param committed the committed state (e.g. {@link ChainStoreCommittedState})
     * @param executor  where blocks run (a dedicated thread or a blocking dispatcher: execution is CPU work)
     */
    public SerialBlockExecutor(Ledger ledger, CommittedState committed, Executor executor) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.committed = Objects.requireNonNull(committed, "committed");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public CompletionStage<ExecutedBlock> execute(Block block, List<ExecutedBlock> uncommittedAncestors) {
        List<ExecutedBlock> ancestors = List.copyOf(uncommittedAncestors);
        return CompletableFuture.supplyAsync(() -> executeNow(block, ancestors), executor);
    }

    /** Executes on the calling thread. */
    public ExecutedBlock executeNow(Block block, List<ExecutedBlock> uncommittedAncestors) {
        try (PreState pre = PreState.open(committed, block, uncommittedAncestors)) {
            BlockExecution.Result result = BlockExecution.serial(ledger, block, pre);
            return pre.complete(block, result);
        }
    }
}
