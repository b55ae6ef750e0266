package org.meshchain.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.mempool.AccountReader;
import org.meshchain.core.mempool.MempoolConfig;
import org.meshchain.core.mempool.TransactionPool;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.execution.VerifiedSignatures;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.peers.PeerManager;
import org.meshchain.node.port.SubmitOutcome;

/**
 * The node's transaction pool (DESIGN 5.5) around the core {@link TransactionPool}: bounded, deduplicated,
 * nonce-ordered per sender, fee priority, typed rejections. Admitted local transactions are gossiped
 * to the other validators in batches; ready ones are handed to consensus for proposals; committed ones
 * (and those their commit made stale) are removed.
 */
public final class MempoolActor extends AbstractBehavior<MempoolActor.Command> {

    public sealed interface Command {}

    public record Submit(SignedTransaction transaction, ActorRef<SubmitOutcome> replyTo) implements Command {}

    /** A batch gossiped by another validator (its envelope was verified). */
    public record FromPeer(Address from, List<SignedTransaction> transactions) implements Command {}

    public record BlockCommitted(StorageActor.Committed committed) implements Command {}

    private record Tick() implements Command {}

    /** Ids recently received by gossip, so they are not gossiped back (bounded). */
    private static final int MAX_REMEMBERED = 200_000;
    private static final int TICKS_PER_PROPOSAL_FEED = 2;
    /** Consensus is fed again even without changes this often (in ticks), e.g. after its actor restarted. */
    private static final int TICKS_PER_FULL_FEED = 40;

    private final TransactionPool pool;
    private final AccountReader accounts;
    private final NodeConfig.Mempool config;
    private final ActorRef<PeerManager.Command> peers;
    private final ActorRef<LeaderActor.Command> leader;
    private final NodeState nodeState;
    private final NodeMetrics metrics;
    private final LinkedHashSet<Hash32> fromPeers = new LinkedHashSet<>();
    private long committedHeight;
    private int ticks;
    /** Something became ready since consensus was last fed (an admission or a commit). */
    private boolean changed;

    public static Behavior<Command> create(MempoolConfig poolConfig, NodeConfig.Mempool config, AccountReader accounts,
            ActorRef<PeerManager.Command> peers, ActorRef<LeaderActor.Command> leader, NodeState nodeState,
            NodeMetrics metrics, VerifiedSignatures verified) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> new MempoolActor(ctx, timers, poolConfig, config,
                accounts, peers, leader, nodeState, metrics, verified)));
    }

    /** Where admitted transactions' ids go so the executor does not verify their signatures again (ADR 0041). */
    private final VerifiedSignatures verified;

    private MempoolActor(ActorContext<Command> context, TimerScheduler<Command> timers, MempoolConfig poolConfig,
            NodeConfig.Mempool config, AccountReader accounts, ActorRef<PeerManager.Command> peers,
            ActorRef<LeaderActor.Command> leader, NodeState nodeState, NodeMetrics metrics, VerifiedSignatures verified) {
        super(context);
        this.verified = verified;
        this.pool = new TransactionPool(poolConfig);
        this.accounts = accounts;
        this.config = config;
        this.peers = peers;
        this.leader = leader;
        this.nodeState = nodeState;
        this.metrics = metrics;
        this.committedHeight = nodeState.committedHeight();
        timers.startTimerWithFixedDelay(new Tick(), config.gossipInterval());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(FromPeer.class, this::onFromPeer)
                .onMessage(BlockCommitted.class, this::onCommitted)
                .onMessage(Tick.class, this::onTick)
                .build();
    }

    private TransactionPool.Admission admit(SignedTransaction tx) {
        int size = tx.encodedLength();
        // an id this node verified already (its executor ran a proposal holding it before gossip brought
        // it here) is not verified again: the id covers signature and key, so the verdict is the same
        TransactionPool.Admission admission = pool.add(tx, size, accounts, committedHeight,
                t -> verified.isKnownValid(t.id()) || t.hasValidSignature());
        nodeState.setMempoolSize(pool.size());
        if (admission instanceof TransactionPool.Rejected r) {
            metrics.mempoolRejections.inc(r.reason().code());
        } else if (admission instanceof TransactionPool.Accepted a) {
            // admission verified the signature (the pool's last check before it accepts)
            verified.verified(a.txId());
            changed = true;
        }
        return admission;
    }

    private Behavior<Command> onSubmit(Submit submit) {
        SignedTransaction tx = submit.transaction();
        SubmitOutcome outcome = switch (admit(tx)) {
            case TransactionPool.Accepted a -> new SubmitOutcome.Accepted(a.txId());
            case TransactionPool.Rejected r -> new SubmitOutcome.Rejected(tx.id(), r.reason());
        };
        submit.replyTo().tell(outcome);
        return this;
    }

    private Behavior<Command> onFromPeer(FromPeer batch) {
        for (SignedTransaction tx : batch.transactions()) {
            Hash32 id = tx.id();
            if (pool.contains(id)) {
                continue;
            }
            if (admit(tx) instanceof TransactionPool.Accepted) {
                remember(id);
            }
        }
        return this;
    }

    private void remember(Hash32 id) {
        fromPeers.add(id);
        if (fromPeers.size() > MAX_REMEMBERED) {
            var it = fromPeers.iterator();
            it.next();
            it.remove();
        }
    }

    private Behavior<Command> onCommitted(BlockCommitted event) {
        var block = event.committed().block().block();
        committedHeight = block.header().height();
        pool.onCommitted(block.transactions(), accounts, committedHeight);
        for (SignedTransaction tx : block.transactions()) {
            fromPeers.remove(tx.id());
        }
        nodeState.setMempoolSize(pool.size());
        changed = true;
        return this;
    }

    private Behavior<Command> onTick(Tick tick) {
        List<SignedTransaction> drained = pool.drainForGossip(config.gossipBatch());
        List<SignedTransaction> local = new ArrayList<>(drained.size());
        for (SignedTransaction tx : drained) {
            if (!fromPeers.contains(tx.id())) {
                local.add(tx);
            }
        }
        if (!local.isEmpty()) {
            peers.tell(new PeerManager.BroadcastTransactions(local));
        }
        ticks++;
        // consensus keeps what it was handed until commit (deduplicated by id, which costs a hash per
        // transaction): hand it the ready set when it changed, and now and then regardless
        boolean due = (changed && ticks % TICKS_PER_PROPOSAL_FEED == 0) || ticks % TICKS_PER_FULL_FEED == 0;
        if (due && pool.size() > 0) {
            changed = false;
            // consensus proposes what it was handed: handing it no more than this node executes in a
            // fraction of a round keeps blocks from outgrowing the round timer (ADR 0026)
            int feed = Math.min(config.proposalBatch(), nodeState.proposalFeed());
            List<SignedTransaction> ready = pool.selectForBlock(feed, Long.MAX_VALUE, accounts);
            if (!ready.isEmpty()) {
                leader.tell(new LeaderActor.TransactionsReady(ready));
            }
        }
        return this;
    }

}
