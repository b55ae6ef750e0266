package org.meshchain.node.execution;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.meshchain.core.types.Block;

/** {@link BlockExecutor} backed by an {@link ExecutorPool} actor. */
public final class PooledBlockExecutor implements BlockExecutor {

    private final ActorRef<ExecutorPool.Command> pool;

    public PooledBlockExecutor(ActorRef<ExecutorPool.Command> pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @Override
    public CompletionStage<ExecutedBlock> execute(Block block, List<ExecutedBlock> uncommittedAncestors) {
        CompletableFuture<ExecutedBlock> result = new CompletableFuture<>();
        pool.tell(new ExecutorPool.Execute(block, uncommittedAncestors, result));
        return result;
    }
}
