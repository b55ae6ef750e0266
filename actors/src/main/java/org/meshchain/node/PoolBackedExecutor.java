package org.meshchain.node;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.meshchain.core.types.Block;
import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.execution.ExecutorPool;
import org.meshchain.node.execution.PooledBlockExecutor;

/**
 * The parallel executor (execution's {@link ExecutorPool}) as a child of the node: the guardian spawns
 * {@link #poolBehavior()} under the name {@code executors} and {@link #bind binds} it; until then (and
 * never in practice, since consensus is spawned after it) execution requests fail.
 */
public final class PoolBackedExecutor implements BlockExecutor, AutoCloseable {

    private final Behavior<ExecutorPool.Command> pool;
    private final AutoCloseable resources;
    private volatile PooledBlockExecutor bound;

    PoolBackedExecutor(Behavior<ExecutorPool.Command> pool, AutoCloseable resources) {
        this.pool = pool;
        this.resources = resources;
    }

    Behavior<ExecutorPool.Command> poolBehavior() {
        return pool;
    }

    void bind(ActorRef<ExecutorPool.Command> ref) {
        bound = new PooledBlockExecutor(ref);
    }

    @Override
    public CompletionStage<ExecutedBlock> execute(Block block, List<ExecutedBlock> uncommittedAncestors) {
        PooledBlockExecutor executor = bound;
        if (executor == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the executor pool is not running"));
        }
        return executor.execute(block, uncommittedAncestors);
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
