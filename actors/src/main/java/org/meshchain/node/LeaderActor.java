package org.meshchain.node;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.meshchain.core.consensus.ConsensusAction;
import org.meshchain.core.consensus.ConsensusAction.TimerKind;
import org.meshchain.core.consensus.ConsensusConfig;
import org.meshchain.core.consensus.ConsensusCore;
import org.meshchain.core.consensus.ConsensusEvent;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.PersistentSafetyRules;
import org.meshchain.core.consensus.SafetyState;
import org.meshchain.core.consensus.SignatureVerifier;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.peers.PeerManager;
import org.meshchain.node.sync.SyncActor;
import org.meshchain.node.wire.SafetyStateRecorded;
import org.meshchain.persistence.chain.ChainStore;

/**
 * Drives the pure consensus core (DESIGN 5.1-5.2, ADR 0003): turns messages, timers and execution
 * results into {@link ConsensusEvent}s and carries out the resulting actions in order. Its state is
 * the safety state, event-sourced on the RocksDB journal: when the core asks for the safety state to
 * be persisted, the event is written (synced) first and only then are the actions performed, so a
 * vote or timeout never leaves the node before what it implies is durable (ADR 0026).
 *
 * <p>Execution and commits share the store, so they run one at a time in the order the core asked
 * for them (the executor sees a committed state that does not move under it).
 */
public final class LeaderActor extends EventSourcedBehavior<LeaderActor.Command, SafetyStateRecorded, SafetyState> {

    public sealed interface Command {}

    /** A verified message from another validator (its envelope signature was checked by its PeerActor). */
    public record FromPeer(Address from, ConsensusMessage message) implements Command {}

    /** Transactions from the local mempool for this node's next proposals. */
    public record TransactionsReady(List<SignedTransaction> transactions) implements Command {}

    /** The store committed a block. */
    public record StoreCommitted(StorageActor.Committed committed) implements Command {}

    /** Bulk sync takes over (ADR 0040): stop voting and timers, finish in-flight work, then tell {@code replyTo}. */
    public record PauseForSync(ActorRef<SyncActor.Command> replyTo) implements Command {}

    /** Bulk sync is done: rebuild the core from the store's head (same safety state) and start again. */
    public record ResumeAfterSync() implements Command {}

    private record Start() implements Command {}

    private record TimerFired(TimerKind kind, long round) implements Command {}

    private record ExecutionDone(Block block, ExecutedBlock result, long startedNanos) implements Command {}

    private record ExecutionFailed(Block block, Throwable cause) implements Command {}

    /** Work that touches the store, one item at a time. */
    private record Work(Block block, QuorumCertificate commitCertificate) {
        boolean isCommit() {
            return commitCertificate != null;
        }
    }

    private static final long EXECUTION_TIMEOUT_SECONDS = 60;

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ConsensusConfig config;
    private final Ed25519PrivateKey key;
    private final ChainStore chain;
    private final BlockExecutor executor;
    private final ActorRef<StorageActor.Command> storage;
    private final ActorRef<PeerManager.Command> peers;
    private final NodeState nodeState;
    private final NodeMetrics metrics;
    private final SignatureVerifier verifier;
    private final PendingBlocks pending;
    /** The certified tail rebuilt from pending blocks at recovery, fed to the core before Start. */
    private ConsensusMessage.SyncResponse restored;

    private ConsensusCore core;
    private final Map<Hash32, ExecutedBlock> executed = new HashMap<>();
    private final ArrayDeque<Work> work = new ArrayDeque<>();
    private boolean busy;
    private long awaitingCommitHeight = -1;
    private Hash32 storedHeadId;
    private long storedHeight;
    private long lastSyncRequestMs;
    private long lastTimeoutRoundCounted;
    /** The node's SyncActor (null in setups without one): told about certificates peers show. */
    private final ActorRef<SyncActor.Command> sync;
    private boolean paused;
    private ActorRef<SyncActor.Command> pauseReplyTo;
    private long highestForwardedHeight;
    private long lastForwardMs;

    public static Behavior<Command> create(ConsensusConfig config, Ed25519PrivateKey key, ChainStore chain,
            BlockExecutor executor, ActorRef<StorageActor.Command> storage, ActorRef<PeerManager.Command> peers,
            NodeState nodeState, NodeMetrics metrics, SignatureVerifier verifier, java.nio.file.Path pendingDirectory,
            ActorRef<SyncActor.Command> sync) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> new LeaderActor(ctx, timers, config, key, chain,
                executor, storage, peers, nodeState, metrics, verifier, new PendingBlocks(pendingDirectory), sync)));
    }

    private LeaderActor(ActorContext<Command> context, TimerScheduler<Command> timers, ConsensusConfig config,
            Ed25519PrivateKey key, ChainStore chain, BlockExecutor executor, ActorRef<StorageActor.Command> storage,
            ActorRef<PeerManager.Command> peers, NodeState nodeState, NodeMetrics metrics, SignatureVerifier verifier,
            PendingBlocks pending, ActorRef<SyncActor.Command> sync) {
        super(PersistenceId.ofUniqueId("consensus-safety-" + Address.of(key.publicKey()).toHex()));
        this.context = context;
        this.timers = timers;
        this.config = config;
        this.key = key;
        this.chain = chain;
        this.executor = executor;
        this.storage = storage;
        this.peers = peers;
        this.nodeState = nodeState;
        this.metrics = metrics;
        this.verifier = verifier;
        this.pending = pending;
        this.sync = sync;
    }

    @Override
    public SafetyState emptyState() {
        return SafetyState.INITIAL;
    }

    @Override
    public EventHandler<SafetyState, SafetyStateRecorded> eventHandler() {
        return (state, event) -> event.state();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        // the state is the whole event: a snapshot every 100 events, older events deleted, keeps
        // recovery short and the journal bounded
        return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public SignalHandler<SafetyState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), this::onRecovered)
                .build();
    }

    private void onRecovered(SafetyState recovered) {
        ChainStore.Head head = chain.head().orElseThrow(() -> new IllegalStateException("the store has no genesis"));
        storedHeadId = head.blockId();
        storedHeight = head.height();
        core = new ConsensusCore(config, new PersistentSafetyRules(config.chainId(), key, recovered), verifier,
                new ChainStoreBlocks(chain));
        List<QuorumCertificate> known = new ArrayList<>();
        if (recovered.lastTimeout() != null) {
            known.add(recovered.lastTimeout().highQc());
        }
        pending.prune(head.height());
        restored = pending.restore(head.blockId(), head.height(), known, config.maxSyncBlocks());
        if (restored != null) {
            context.getLog().info("restoring {} certified, uncommitted blocks above height {}", restored.blocks().size(),
                    head.height());
        }
        context.getLog().info("consensus starts at round {} (committed height {}, last voted round {})",
                core.currentRound(), head.height(), recovered.lastVotedRound());
        if (nodeState.bulkSyncing()) {
            // restarted while bulk sync holds the store: stay stopped until it hands back
            paused = true;
            if (sync != null) {
                sync.tell(new SyncActor.ConsensusPaused());
            }
        }
        context.getSelf().tell(new Start());
    }

    @Override
    public CommandHandler<Command, SafetyStateRecorded, SafetyState> commandHandler() {
        return (state, command) -> {
            long now = System.currentTimeMillis();
            if (command instanceof FromPeer p) {
                forwardCertificate(p, now);
            }
            if (paused) {
                return whilePaused(state, command, now);
            }
            List<ConsensusAction> actions = switch (command) {
                case PauseForSync p -> {
                    pause(p.replyTo());
                    yield List.of();
                }
                case ResumeAfterSync r -> List.of(); // not paused: nothing to hand back
                case Start s -> {
                    List<ConsensusAction> all = new ArrayList<>();
                    if (restored != null) {
                        all.addAll(core.step(new ConsensusEvent.SyncResponseReceived(core.validator(), restored, now)));
                        restored = null;
                    }
                    all.addAll(core.step(new ConsensusEvent.Start(now)));
                    yield all;
                }
                case FromPeer p -> core.step(ConsensusEvent.received(p.from(), p.message(), now));
                case TransactionsReady t -> core.step(new ConsensusEvent.TransactionsAvailable(t.transactions(), now));
                case TimerFired t -> core.step(new ConsensusEvent.TimerFired(t.kind(), t.round(), now));
                case ExecutionDone d -> onExecuted(d, now);
                case ExecutionFailed f -> throw new IllegalStateException(
                        "execution of block " + f.block().id() + " failed", f.cause());
                case StoreCommitted c -> onStoreCommitted(c.committed());
            };
            return perform(actions);
        };
    }

    /** Consensus is stopped while bulk sync runs: no votes, no timers, no proposals; in-flight work finishes. */
    private Effect<SafetyStateRecorded, SafetyState> whilePaused(SafetyState state, Command command, long now) {
        switch (command) {
            case ResumeAfterSync r -> {
                return perform(resume(state, now));
            }
            case PauseForSync p -> pauseReplyTo = p.replyTo();
            case ExecutionDone d -> busy = false; // its block will come again, certified, from the store's view
            case ExecutionFailed f -> busy = false;
            case StoreCommitted c -> onStoreCommitted(c.committed());
            default -> {
                // messages, timers and transactions: the core is stopped
            }
        }
        replyIfPaused();
        return Effect().none();
    }

    private void pause(ActorRef<SyncActor.Command> replyTo) {
        paused = true;
        pauseReplyTo = replyTo;
        timers.cancelAll();
        work.clear();
        nodeState.setSyncing(false);
        context.getLog().info("consensus paused for bulk sync at committed height {} (round {})", storedHeight,
                core.currentRound());
        replyIfPaused();
    }

    private void replyIfPaused() {
        if (!busy && pauseReplyTo != null) {
            pauseReplyTo.tell(new SyncActor.ConsensusPaused());
            pauseReplyTo = null;
        }
    }

    /** A fresh core on the store's head, with the persisted safety state (so it never signs twice). */
    private List<ConsensusAction> resume(SafetyState state, long now) {
        paused = false;
        pauseReplyTo = null;
        ChainStore.Head head = chain.head().orElseThrow(() -> new IllegalStateException("the store has no genesis"));
        storedHeadId = head.blockId();
        storedHeight = head.height();
        work.clear();
        executed.clear();
        parents.clear();
        pending.prune(head.height());
        core = new ConsensusCore(config, new PersistentSafetyRules(config.chainId(), key, state), verifier,
                new ChainStoreBlocks(chain));
        context.getLog().info("consensus resumes after bulk sync at committed height {}, round {}", head.height(),
                core.currentRound());
        return core.step(new ConsensusEvent.Start(now));
    }

    /** Tells the SyncActor how far the network is, from the certificates peers send (it verifies them). */
    private void forwardCertificate(FromPeer p, long now) {
        if (sync == null) {
            return;
        }
        QuorumCertificate qc = switch (p.message()) {
            case ConsensusMessage.Proposal proposal -> proposal.block().header().justify();
            case ConsensusMessage.TimeoutMessage timeout -> timeout.timeout().highQc();
            case ConsensusMessage.SyncResponse response -> response.certifyingQc();
            default -> null;
        };
        if (qc == null) {
            return;
        }
        long height = qc.voteData().height();
        // the highest so far, or once a second in case a forged high certificate (rejected there) set the bar
        if (height > highestForwardedHeight || now - lastForwardMs > 1000) {
            highestForwardedHeight = Math.max(highestForwardedHeight, height);
            lastForwardMs = now;
            sync.tell(new SyncActor.PeerCertified(p.from(), qc));
        }
    }

    private List<ConsensusAction> onExecuted(ExecutionDone done, long now) {
        busy = false;
        ExecutedBlock result = withinTreeBudget(done.result());
        double seconds = (System.nanoTime() - done.startedNanos()) / 1e9;
        metrics.executionSeconds.observe(seconds);
        adjustProposalFeed(done.block().transactions().size(), seconds);
        executed.put(result.blockId(), result);
        parents.put(result.blockId(), done.block().header().parentId());
        publishProposalFeed();
        List<ConsensusAction> actions = core.step(new ConsensusEvent.BlockExecuted(result.blockId(), result.stateRoot(),
                result.receiptRoot(), now));
        runNextWork();
        return actions;
    }

    /**
     * Most state tree nodes (new and stale, ~250 bytes each on the heap, an estimate, plus a new node's
     * ~125 stored bytes, encoded by the executor: ADR 0072) that the executed but uncommitted blocks
     * keep with their results for the store (ADR 0057): ~20 blocks of 1,000 transfers over 1M accounts
     * (~12,400 new and ~12,400 stale nodes each), ~155 MB. The map itself is bounded by the consensus
     * core's uncommitted block tree (max-uncommitted-blocks); this bounds the memory per block too.
     */
    static final long MAX_HELD_TREE_NODES = 500_000;

    /**
     * The result as kept until commit: with its tree version while the held versions stay within
     * {@link #MAX_HELD_TREE_NODES}, else without (its children and the store then compute it again).
     */
    private ExecutedBlock withinTreeBudget(ExecutedBlock result) {
        long held = result.treeNodesHeld();
        for (ExecutedBlock block : executed.values()) {
            held += block.treeNodesHeld();
        }
        return held <= MAX_HELD_TREE_NODES ? result : result.withoutTreeVersion();
    }

    private List<ConsensusAction> onStoreCommitted(StorageActor.Committed committed) {
        Block block = committed.block().block();
        storedHeadId = block.id();
        storedHeight = block.header().height();
        executed.values().removeIf(e -> e.height() <= storedHeight);
        publishProposalFeed();
        pending.prune(storedHeight);
        parents.keySet().retainAll(executed.keySet());
        if (storedHeight >= awaitingCommitHeight && awaitingCommitHeight >= 0) {
            awaitingCommitHeight = -1;
            busy = false;
            runNextWork();
        }
        return List.of();
    }

    /**
     * Sizes the mempool's hand-off to consensus so a block executes within half of the base round
     * timer on this machine (every validator executes every block before voting): an exponential
     * average of the measured execution rate, clamped to [50, max block transactions].
     */
    private void adjustProposalFeed(int transactions, double seconds) {
        if (transactions < 20 || seconds <= 0) {
            return;
        }
        double rate = transactions / seconds;
        executionRate = executionRate == 0 ? rate : 0.7 * executionRate + 0.3 * rate;
        double budgetSeconds = config.baseTimeoutMs() / 2000.0;
        blockBudget = (int) Math.max(50, Math.min(config.maxBlockTransactions(), executionRate * budgetSeconds));
        publishProposalFeed();
    }

    /**
     * The hand-off is the mempool's first ready transactions, and those include the ones already in
     * executed but uncommitted blocks (they leave the mempool at commit), which consensus skips when it
     * builds the next block. So the hand-off is the block budget PLUS the transactions in flight:
     * otherwise the pipeline of uncommitted blocks eats the budget and blocks shrink to a fraction of
     * it (ADR 0065). Consensus still caps a block at max-block-transactions.
     */
    private void publishProposalFeed() {
        int inFlight = 0;
        for (ExecutedBlock block : executed.values()) {
            inFlight += block.receipts().size();
        }
        nodeState.setProposalFeed((int) Math.min(Integer.MAX_VALUE, (long) blockBudget + inFlight));
    }

    private int blockBudget = 200;
    private double executionRate;

    /** Persists first when the core asked for it, then carries out every action in order. */
    private Effect<SafetyStateRecorded, SafetyState> perform(List<ConsensusAction> actions) {
        SafetyState toPersist = null;
        for (ConsensusAction action : actions) {
            if (action instanceof ConsensusAction.PersistSafetyState p) {
                toPersist = p.state();
            }
        }
        if (toPersist == null) {
            carryOut(actions);
            return Effect().none();
        }
        return Effect().persist(new SafetyStateRecorded(toPersist)).thenRun(s -> carryOut(actions));
    }

    private void carryOut(List<ConsensusAction> actions) {
        long now = System.currentTimeMillis();
        for (ConsensusAction action : actions) {
            switch (action) {
                case ConsensusAction.PersistSafetyState p -> {
                    // done before this method ran
                }
                case ConsensusAction.Send s -> peers.tell(new PeerManager.SendConsensus(s.to(), s.message()));
                case ConsensusAction.Broadcast b -> {
                    if (b.message() instanceof ConsensusMessage.TimeoutMessage t && t.timeout().round() > lastTimeoutRoundCounted) {
                        lastTimeoutRoundCounted = t.timeout().round();
                        nodeState.timeoutSent();
                    }
                    peers.tell(new PeerManager.BroadcastConsensus(b.message()));
                }
                case ConsensusAction.SetTimer t -> timers.startSingleTimer(t.kind(), new TimerFired(t.kind(), t.round()),
                        Duration.ofMillis(Math.max(0, t.atMs() - now)));
                case ConsensusAction.ExecuteBlock e -> {
                    pending.save(e.block()); // before it can be voted for: see PendingBlocks
                    work.add(new Work(e.block(), null));
                    runNextWork();
                }
                case ConsensusAction.CommitBlock c -> {
                    work.add(new Work(c.block(), c.certificate()));
                    runNextWork();
                }
                case ConsensusAction.RequestSync r -> {
                    lastSyncRequestMs = now;
                    nodeState.setSyncing(true);
                    peers.tell(new PeerManager.SendConsensus(r.peer(), r.request()));
                }
                case ConsensusAction.RequestBlock r -> peers.tell(new PeerManager.SendConsensus(r.peer(), r.request()));
                case ConsensusAction.ReportMisbehaviour m -> {
                    context.getLog().info("misbehaviour of {}: {} {}", m.peer(), m.kind(), m.detail());
                    peers.tell(new PeerManager.Misbehaved(m.peer(), m.kind(), m.detail()));
                }
            }
        }
        if (nodeState.syncing() && now - lastSyncRequestMs > 2 * config.syncRetryMs() + 1000) {
            nodeState.setSyncing(false);
        }
        long newRound = core.currentRound();
        if (newRound != nodeState.round() && context.getLog().isDebugEnabled()) {
            context.getLog().debug("round {} (leader {}), committed height {}", newRound, core.leaderOf(newRound),
                    core.committedHeight());
        }
        nodeState.consensusProgress(newRound, core.leaderOf(newRound));
    }

    private void runNextWork() {
        while (!busy && !work.isEmpty()) {
            Work next = work.poll();
            Block block = next.block();
            if (next.isCommit()) {
                if (block.header().height() <= storedHeight) {
                    continue; // already stored (e.g. re-emitted after a restart)
                }
                ExecutedBlock result = executed.get(block.id());
                if (result == null) {
                    throw new IllegalStateException("the core committed block " + block.id() + " that was not executed here");
                }
                busy = true;
                awaitingCommitHeight = block.header().height();
                storage.tell(new StorageActor.Commit(block, next.commitCertificate(), result));
            } else {
                List<ExecutedBlock> ancestors = uncommittedAncestors(block);
                if (ancestors == null) {
                    context.getLog().debug("not executing block {}: its branch does not extend the stored head", block.id());
                    continue;
                }
                busy = true;
                long started = System.nanoTime();
                // bounded: an execution lost with a restarted executor pool fails here and the actor restarts
                context.pipeToSelf(executor.execute(block, ancestors).toCompletableFuture()
                        .orTimeout(EXECUTION_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS), (result, failure) -> failure == null
                        ? new ExecutionDone(block, result, started)
                        : new ExecutionFailed(block, failure));
            }
        }
    }

    /** Executed blocks between the stored head and {@code block}, oldest first; null if the branch is stale. */
    private List<ExecutedBlock> uncommittedAncestors(Block block) {
        List<ExecutedBlock> chainOfParents = new ArrayList<>();
        Hash32 cursor = block.header().parentId();
        long height = block.header().height() - 1;
        while (!cursor.equals(storedHeadId)) {
            if (height <= storedHeight) {
                return null;
            }
            ExecutedBlock parent = executed.get(cursor);
            if (parent == null) {
                return null;
            }
            chainOfParents.add(parent);
            cursor = parentOf(parent);
            height--;
        }
        Collections.reverse(chainOfParents);
        return chainOfParents;
    }

    private final Map<Hash32, Hash32> parents = new HashMap<>();

    private Hash32 parentOf(ExecutedBlock executedBlock) {
        Hash32 parent = parents.get(executedBlock.blockId());
        if (parent == null) {
            throw new IllegalStateException("no parent recorded for executed block " + executedBlock.blockId());
        }
        return parent;
    }
}
