package org.meshchain.node;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.state.StateStore;

/**
 * The single writer of the chain and state store (DESIGN 5.5, 7.1). Commits executed blocks in height
 * order, each in one synced batch, then tells the listeners. A commit the store refuses, or an I/O
 * failure, is not retried: the actor fails and the guardian stops the node (fail-stop beats corrupt
 * state, ADR 0025). Runs on the blocking dispatcher.
 */
public final class StorageActor extends AbstractBehavior<StorageActor.Command> {

    public sealed interface Command {}

    /** Commit {@code block} certified by {@code certificate}, with the result of executing it. */
    public record Commit(Block block, QuorumCertificate certificate, ExecutedBlock executed) implements Command {}

    /** A state proof at the committed head, with the certified header it is against. */
    public record ProveState(Hash32 path, ActorRef<StateProofResult> replyTo) implements Command {}

    /** Told after every commit (and to catch up a listener after a restart of its actor). */
    public record Committed(CommittedBlock block, ExecutedBlock executed) {}

    private final ChainStore chain;
    private final StateStore state;
    private final NodeState nodeState;
    private final java.util.function.Consumer<Committed> listeners;
    private final CommitFeed feed;
    private final NodeMetrics metrics;

    public static Behavior<Command> create(ChainStore chain, StateStore state, NodeState nodeState,
            java.util.function.Consumer<Committed> listeners, CommitFeed feed, NodeMetrics metrics) {
        return Behaviors.setup(ctx -> new StorageActor(ctx, chain, state, nodeState, listeners, feed, metrics));
    }

    private StorageActor(ActorContext<Command> context, ChainStore chain, StateStore state, NodeState nodeState,
            java.util.function.Consumer<Committed> listeners, CommitFeed feed, NodeMetrics metrics) {
        super(context);
        this.chain = chain;
        this.state = state;
        this.nodeState = nodeState;
        this.listeners = listeners;
        this.feed = feed;
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Commit.class, this::onCommit)
                .onMessage(ProveState.class, this::onProve)
                .onSignal(PostStop.class, s -> {
                    nodeState.setStorageOpen(false);
                    return this;
                })
                .build();
    }

    private Behavior<Command> onCommit(Commit commit) throws CommitRejectedException {
        long height = commit.block().header().height();
        ChainStore.Head head = chain.head().orElseThrow();
        if (height <= head.height()) {
            // a re-sent commit after the consensus actor restarted: the same block is already stored
            Hash32 stored = chain.blockAt(height).map(Block::id).orElse(null);
            if (commit.block().id().equals(stored)) {
                return this;
            }
            throw new IllegalStateException("commit of a block at height " + height + " that conflicts with the stored one "
                    + stored + ": refusing to continue");
        }
        // the executor's tree version of the block is written as it is when it was computed on the
        // store's latest version; else (none after a restart, or another base) the store computes it
        ExecutedBlock executed = commit.executed();
        long started = System.nanoTime();
        boolean precomputed = state.stagePrecomputed(executed.treeVersion(), executed.stateUpdates());
        state.commitBlock(commit.block(), commit.certificate(), executed.receipts());
        metrics.storeCommitSeconds.observe((System.nanoTime() - started) / 1e9);
        metrics.stateVersionsStaged.inc(precomputed ? "precomputed" : "recomputed");
        // listeners get the result without the version's nodes: nothing keeps them after the commit
        executed = executed.withoutTreeVersion();
        CommittedBlock committed = new CommittedBlock(commit.block(), commit.certificate(), executed.receipts());
        int succeeded = metrics.onCommit(commit.block(), executed);
        nodeState.committed(height, succeeded);
        Committed event = new Committed(committed, executed);
        listeners.accept(event);
        feed.publish(committed);
        return this;
    }

    private Behavior<Command> onProve(ProveState prove) {
        ChainStore.Head head = chain.head().orElseThrow();
        long version = state.latestVersion();
        var proof = state.prove(version, prove.path());
        var value = state.valueAt(version, prove.path());
        Block block = chain.blockAt(head.height()).orElse(null);
        QuorumCertificate qc = chain.certificateAt(head.height()).orElseThrow();
        if (block == null) {
            throw new IllegalStateException("the head block at height " + head.height() + " is missing");
        }
        prove.replyTo().tell(new StateProofResult(prove.path(), value, proof,
                new org.meshchain.node.port.CertifiedHeader(block.header(), qc)));
        return this;
    }
}
