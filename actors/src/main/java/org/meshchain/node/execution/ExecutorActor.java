package org.meshchain.node.execution;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Runs batches of ready transactions for the {@link ExecutorPool}. After a transaction it releases its
 * successors in the conflict graph: the first that became ready runs next on this executor (a
 * dependency chain continues without a round trip through the pool), the others and the rest of the
 * batch go back to the pool so idle executors can take them. Exactly one reply per command.
 */
final class ExecutorActor extends AbstractBehavior<ExecutorActor.Command> {

    sealed interface Command {}

    record Prepare(BlockJob job, int from, int to) implements Command {}

    record Run(BlockJob job, int[] batch) implements Command {}

    private final ActorRef<ExecutorPool.Command> pool;

    static Behavior<Command> create(ActorRef<ExecutorPool.Command> pool) {
        return Behaviors.setup(ctx -> new ExecutorActor(ctx, pool));
    }

    private ExecutorActor(ActorContext<Command> context, ActorRef<ExecutorPool.Command> pool) {
        super(context);
        this.pool = pool;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Prepare.class, this::onPrepare)
                .onMessage(Run.class, this::onRun)
                .build();
    }

    private Behavior<Command> onPrepare(Prepare v) {
        try {
            if (!v.job().cancelled) {
                v.job().prepare(v.from(), v.to());
            }
            pool.tell(new ExecutorPool.Prepared(v.job().seq, getContext().getSelf()));
        } catch (RuntimeException | Error e) {
            pool.tell(new ExecutorPool.Failed(v.job().seq, getContext().getSelf(), e));
            rethrowFatal(e);
        }
        return this;
    }

    private Behavior<Command> onRun(Run r) {
        BlockJob job = r.job();
        ArrayDeque<Integer> queue = new ArrayDeque<>(r.batch().length);
        for (int i : r.batch()) {
            queue.add(i);
        }
        int executed = 0;
        try {
            while (!queue.isEmpty() && !job.cancelled) {
                int i = queue.pollFirst();
                job.run(i);
                executed++;
                List<Integer> released = job.release(i);
                if (!released.isEmpty()) {
                    List<Integer> handBack = new ArrayList<>(released.size() - 1 + queue.size());
                    handBack.addAll(released.subList(1, released.size()));
                    handBack.addAll(queue);
                    queue.clear();
                    queue.add(released.get(0));
                    if (!handBack.isEmpty()) {
                        pool.tell(new ExecutorPool.Released(job.seq, handBack.stream().mapToInt(Integer::intValue).toArray()));
                    }
                }
            }
            pool.tell(new ExecutorPool.Ran(job.seq, getContext().getSelf(), executed));
        } catch (RuntimeException | Error e) {
            pool.tell(new ExecutorPool.Failed(job.seq, getContext().getSelf(), e));
            rethrowFatal(e);
        }
        return this;
    }

    /** The block fails either way; a JVM error also stops this actor (the pool restarts it). */
    private static void rethrowFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }
}
