package org.meshchain.node.execution;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.types.Block;

/**
 * The parallel block executor (DESIGN 4): a pool of {@link ExecutorActor}s on their own dispatcher, fed
 * by the access-set scheduler. Per block: open the pre-state; check all signatures and derive all access sets
 * in parallel (stateless work); build the conflict graph; then hand out batches of ready transactions, smallest
 * index first (dependency chains are in block order, so that is the critical path first); finally merge
 * (the published writes ARE the block-order merge, see {@link BlockJob}), credit fees and compute the
 * roots, the state root's subtrees in parallel on a fork-join pool of one thread per executor. Blocks are
 * executed one at a time, in arrival order; at most {@link Settings#maxQueuedBlocks}
 * wait, more are refused. Use it through {@link PooledBlockExecutor}.
 */
public final class ExecutorPool extends AbstractBehavior<ExecutorPool.Command> {

    /** Config path of the executors' dispatcher; see {@link #dispatcherConfig}. */
    public static final String DISPATCHER = "meshchain.execution.dispatcher";

    /**
     * @param executors       number of ExecutorActors (normally the number of cores)
     * @param maxBatch        most transactions handed to an executor at once
     * @param maxQueuedBlocks blocks that may wait while one executes
     */
    public record Settings(int executors, int maxBatch, int maxQueuedBlocks) {
        public Settings {
            if (executors < 1 || executors > 256) {
                throw new IllegalArgumentException("execution.executors = " + executors + ": must be in 1..256");
            }
            if (maxBatch < 1 || maxBatch > 100_000) {
                throw new IllegalArgumentException("execution.max-batch = " + maxBatch + ": must be in 1..100000");
            }
            if (maxQueuedBlocks < 1 || maxQueuedBlocks > 1_000) {
                throw new IllegalArgumentException("execution.max-queued-blocks = " + maxQueuedBlocks + ": must be in 1..1000");
            }
        }

        public static Settings forCores() {
            return new Settings(Runtime.getRuntime().availableProcessors(), 64, 16);
        }
    }

    /** The dispatcher the pool runs on: one thread per executor plus one for the pool itself. */
    public static Config dispatcherConfig(int executors) {
        return ConfigFactory.parseString(DISPATCHER + " { type = Dispatcher, executor = \"thread-pool-executor\", "
                + "thread-pool-executor { fixed-pool-size = " + (executors + 1) + " }, throughput = 1 }");
    }

    public sealed interface Command {}

    /** Execute {@code block} on top of its uncommitted ancestors; the outcome completes {@code result}. */
    public record Execute(Block block, List<ExecutedBlock> ancestors, CompletableFuture<ExecutedBlock> result) implements Command {
        public Execute {
            Objects.requireNonNull(block, "block");
            ancestors = List.copyOf(ancestors);
            Objects.requireNonNull(result, "result");
        }
    }

    record Prepared(long seq, ActorRef<ExecutorActor.Command> executor) implements Command {}

    record Ran(long seq, ActorRef<ExecutorActor.Command> executor, int executed) implements Command {}

    record Released(long seq, int[] ready) implements Command {}

    record Failed(long seq, ActorRef<ExecutorActor.Command> executor, Throwable error) implements Command {}

    public static Behavior<Command> create(Settings settings, Ledger ledger, CommittedState committed) {
        return create(settings, ledger, committed, null);
    }

    /** With {@code metrics} (may be null) updated after every block. */
    public static Behavior<Command> create(Settings settings, Ledger ledger, CommittedState committed, ExecutionMetrics metrics) {
        return create(settings, ledger, committed, metrics, VerifiedSignatures.DISABLED);
    }

    /** With {@code verified}: transactions whose signature the node verified already (mempool) are not verified again. */
    public static Behavior<Command> create(Settings settings, Ledger ledger, CommittedState committed, ExecutionMetrics metrics,
            VerifiedSignatures verified) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(verified, "verified");
        return Behaviors.setup(ctx -> new ExecutorPool(ctx, settings, ledger, committed, metrics, verified));
    }

    private final Settings settings;
    private final Ledger ledger;
    private final CommittedState committed;
    private final List<ActorRef<ExecutorActor.Command>> executors = new ArrayList<>();
    private final ArrayDeque<ActorRef<ExecutorActor.Command>> idle = new ArrayDeque<>();
    private final ArrayDeque<Execute> waiting = new ArrayDeque<>();
    private long nextSeq;
    private BlockJob job;
    private int outstanding;
    private int completed;
    private Throwable failure;
    private ArrayDeque<int[]> prepareChunks;
    private final PriorityQueue<Integer> ready = new PriorityQueue<>();
    /** Computes the state root's subtrees in parallel (one thread per executor; idle while executors run). */
    private final ForkJoinPool rootPool;
    private final int rootForkDepth;
    private final ExecutionMetrics metrics;
    private long startedNanos;
    /** Wall time of the current block's phases (see {@link ExecutionMetrics#PHASES}) and when the current one began. */
    private final long[] phaseNanos = new long[5];
    private long phaseStartedNanos;

    private final VerifiedSignatures verified;

    private ExecutorPool(ActorContext<Command> context, Settings settings, Ledger ledger, CommittedState committed,
                         ExecutionMetrics metrics, VerifiedSignatures verified) {
        super(context);
        this.verified = verified;
        this.metrics = metrics;
        this.settings = settings;
        this.ledger = ledger;
        this.committed = committed;
        this.rootPool = new ForkJoinPool(settings.executors());
        // about four subtrees per thread: path bits are uniform, so the parts are of similar size
        this.rootForkDepth = 32 - Integer.numberOfLeadingZeros(settings.executors() - 1) + 2;
        for (int i = 0; i < settings.executors(); i++) {
            // a JVM error in an executor stops it; restart keeps the pool at full size
            ActorRef<ExecutorActor.Command> executor = context.spawn(
                    Behaviors.supervise(ExecutorActor.create(context.getSelf())).onFailure(SupervisorStrategy.restart()),
                    "executor-" + i, DispatcherSelector.fromConfig(DISPATCHER));
            executors.add(executor);
            idle.add(executor);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Execute.class, this::onExecute)
                .onMessage(Prepared.class, this::onPrepared)
                .onMessage(Ran.class, this::onRan)
                .onMessage(Released.class, this::onReleased)
                .onMessage(Failed.class, this::onFailed)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    /** Executors are stopped before this runs, so none reads the pre-state any more. */
    private Behavior<Command> onPostStop() {
        rootPool.shutdownNow();
        IllegalStateException stopped = new IllegalStateException("executor pool stopped");
        if (job != null) {
            job.cancelled = true;
            job.preState.close();
            job.result.completeExceptionally(stopped);
            job = null;
        }
        for (Execute e : waiting) {
            e.result().completeExceptionally(stopped);
        }
        waiting.clear();
        return this;
    }

    private Behavior<Command> onExecute(Execute e) {
        if (job == null) {
            start(e);
        } else if (waiting.size() < settings.maxQueuedBlocks()) {
            waiting.add(e);
        } else {
            if (metrics != null) {
                metrics.refused();
            }
            e.result().completeExceptionally(new RejectedExecutionException("executor pool: " + waiting.size()
                    + " blocks already waiting (execution.max-queued-blocks)"));
        }
        return this;
    }

    private void start(Execute e) {
        startedNanos = System.nanoTime();
        PreState pre;
        try {
            pre = PreState.open(committed, e.block(), e.ancestors());
        } catch (RuntimeException ex) {
            failedToStart(e, ex);
            return;
        }
        try {
            job = new BlockJob(nextSeq++, e.block(), ledger, pre, e.result(), verified);
        } catch (RuntimeException ex) {
            pre.close();
            failedToStart(e, ex);
            return;
        }
        java.util.Arrays.fill(phaseNanos, 0);
        phaseDone(0);
        startJob();
    }

    private void failedToStart(Execute e, RuntimeException ex) {
        if (metrics != null) {
            metrics.failed();
        }
        e.result().completeExceptionally(ex);
    }

    private void startJob() {
        completed = 0;
        failure = null;
        ready.clear();
        int n = job.size();
        prepareChunks = new ArrayDeque<>();
        // small chunks (16 per executor, handed out as executors come back idle) so an executor that the OS
        // descheduled, or a slow chunk, leaves little idle time on the others at the end of the phase
        int chunks = Math.min(n, executors.size() * 16);
        for (int c = 0; c < chunks; c++) {
            prepareChunks.add(new int[] {(int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)});
        }
        if (n == 0) {
            end();
            return;
        }
        dispatchPreparation();
    }

    private void dispatchPreparation() {
        while (!prepareChunks.isEmpty() && !idle.isEmpty()) {
            int[] chunk = prepareChunks.poll();
            outstanding++;
            idle.poll().tell(new ExecutorActor.Prepare(job, chunk[0], chunk[1]));
        }
    }

    private Behavior<Command> onPrepared(Prepared v) {
        returned(v.executor());
        if (job == null || v.seq() != job.seq) {
            return this;
        }
        if (failure != null) {
            endIfDrained();
        } else if (!prepareChunks.isEmpty()) {
            dispatchPreparation();
        } else if (outstanding == 0) {
            phaseDone(1);
            try {
                ready.addAll(job.schedule());
            } catch (RuntimeException e) {
                failure = e;
                end();
                return this;
            }
            phaseDone(2);
            dispatchRuns();
        }
        return this;
    }

    private void dispatchRuns() {
        int perExecutor = Math.max(1, Math.min(settings.maxBatch(), (ready.size() + 2 * executors.size() - 1) / (2 * executors.size())));
        while (!ready.isEmpty() && !idle.isEmpty()) {
            int size = Math.min(perExecutor, ready.size());
            int[] batch = new int[size];
            for (int k = 0; k < size; k++) {
                batch[k] = ready.poll();
            }
            outstanding++;
            idle.poll().tell(new ExecutorActor.Run(job, batch));
        }
    }

    private Behavior<Command> onRan(Ran r) {
        returned(r.executor());
        if (job == null || r.seq() != job.seq) {
            return this;
        }
        completed += r.executed();
        if (failure != null) {
            endIfDrained();
        } else if (completed == job.size()) {
            phaseDone(3);
            end();
        } else {
            dispatchRuns();
        }
        return this;
    }

    private Behavior<Command> onReleased(Released r) {
        if (job != null && r.seq() == job.seq && failure == null) {
            for (int i : r.ready()) {
                ready.add(i);
            }
            dispatchRuns();
        }
        return this;
    }

    private Behavior<Command> onFailed(Failed f) {
        returned(f.executor());
        if (job != null && f.seq() == job.seq) {
            if (failure == null) {
                failure = f.error();
                job.cancelled = true;
            }
            endIfDrained();
        }
        return this;
    }

    /** Ends phase {@code index} of the current block now; the next phase starts now. */
    private void phaseDone(int index) {
        long now = System.nanoTime();
        phaseNanos[index] = now - (index == 0 ? startedNanos : phaseStartedNanos);
        phaseStartedNanos = now;
    }

    private void returned(ActorRef<ExecutorActor.Command> executor) {
        outstanding = Math.max(0, outstanding - 1);
        idle.add(executor);
    }

    /** After a failure, the pre-state may be closed only when no executor still reads it. */
    private void endIfDrained() {
        if (outstanding == 0) {
            end();
        }
    }

    private void end() {
        BlockJob finished = job;
        try {
            if (failure != null) {
                if (metrics != null) {
                    metrics.failed();
                }
                finished.result.completeExceptionally(failure);
            } else {
                ExecutedBlock executed = finished.finish(settings.executors() > 1 ? rootPool : null, rootForkDepth);
                phaseDone(4);
                if (metrics != null) {
                    metrics.phases(phaseNanos);
                    metrics.executed(executed, finished.receipts,
                            finished.graph == null ? 0 : finished.graph.criticalPathLength(), System.nanoTime() - startedNanos);
                }
                finished.result.complete(executed);
            }
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.failed();
            }
            finished.result.completeExceptionally(e);
        } finally {
            finished.preState.close();
            job = null;
        }
        while (job == null && !waiting.isEmpty()) {
            start(waiting.poll());
        }
    }
}
