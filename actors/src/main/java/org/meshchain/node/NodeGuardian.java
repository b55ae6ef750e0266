package org.meshchain.node;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.meshchain.core.consensus.ConsensusConfig;
import org.meshchain.core.consensus.SignatureVerifier;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.mempool.MempoolConfig;
import org.meshchain.core.types.Address;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.peers.PeerManager;
import org.meshchain.node.peers.PeerState;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.wire.WireCodec;
import org.meshchain.node.sync.SyncActor;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.state.StateStore;

/**
 * The root of a validator's actor tree (DESIGN 5.5) and where each child's supervision is declared
 * (ADR 0025):
 * <ul>
 * <li>storage: never restarted; if it fails (refused commit, I/O error) the node shuts down with a
 * non-zero exit code — fail-stop beats corrupt state;</li>
 * <li>consensus (LeaderActor): restarted with backoff 0.2 s..10 s; it recovers its safety state from
 * the journal and its chain from the store;</li>
 * <li>peers, mempool: restarted with backoff; each PeerActor restarts on its own under the PeerManager;</li>
 * <li>extensions (API server, bridge): restarted with backoff 1 s..30 s; their failures never reach consensus.</li>
 * </ul>
 */
public final class NodeGuardian extends AbstractBehavior<NodeGuardian.Command> {

    /** The guardian takes no messages of its own; it only watches its children. */
    public interface Command {}

    /** Everything the tree is built from, opened and validated by {@link Node} before the actor system starts. */
    public record Setup(NodeConfig config, ConsensusConfig consensus, MempoolConfig mempool, Ed25519PrivateKey key,
            ChainStore chain, StateStore state, BlockExecutor executor, NodeState nodeState, NodeMetrics metrics,
            CommitFeed feed, Map<Address, PeerState> peerStates, InboundInspector inspector, List<NodeExtension> extensions,
            NodeServices services, NodeRefs refs, WireCodec codec, String systemName,
            org.meshchain.node.execution.VerifiedSignatures verifiedSignatures) {}

    /** Why the node stopped itself. */
    public static final class StorageFailed implements CoordinatedShutdown.Reason {
        private StorageFailed() {}

        public static final StorageFailed INSTANCE = new StorageFailed();

        @Override
        public String toString() {
            return "storage failed";
        }
    }

    private final ActorRef<StorageActor.Command> storage;
    private final NodeState nodeState;

    public static Behavior<Command> create(Setup setup) {
        return Behaviors.setup(ctx -> new NodeGuardian(ctx, setup));
    }

    private NodeGuardian(ActorContext<Command> context, Setup s) {
        super(context);
        this.nodeState = s.nodeState();
        NodeRefs refs = s.refs();
        storage = context.spawn(StorageActor.create(s.chain(), s.state(), s.nodeState(), committed -> {
                    ActorRef<LeaderActor.Command> leader = refs.leader;
                    ActorRef<MempoolActor.Command> mempool = refs.mempool;
                    ActorRef<SyncActor.Command> sync = refs.sync;
                    if (sync != null) {
                        sync.tell(new SyncActor.StoreCommitted(committed.block().block().header().height(),
                                committed.block().block().id()));
                    }
                    if (leader != null) {
                        leader.tell(new LeaderActor.StoreCommitted(committed));
                    }
                    if (mempool != null) {
                        mempool.tell(new MempoolActor.BlockCommitted(committed));
                    }
                }, s.feed(), s.metrics()),
                "storage", DispatcherSelector.blocking());
        context.watch(storage);
        refs.storage = storage;

        if (s.executor() instanceof PoolBackedExecutor pooled) {
            // executors restart one by one inside the pool; the pool itself restarts with backoff (its
            // in-flight blocks fail by timeout in the consensus actor, which then re-executes them)
            pooled.bind(context.spawn(Behaviors.supervise(pooled.poolBehavior())
                    .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                    "executors", DispatcherSelector.fromConfig(org.meshchain.node.execution.ExecutorPool.DISPATCHER)));
        }

        ActorRef<PeerManager.Command> peers = context.spawn(
                Behaviors.supervise(PeerManager.create(s.consensus().chainId(), s.key(), s.consensus().validators(),
                        s.config().peers(), s.systemName(), s.codec(), s.config().peerLimits(), s.metrics(), s.inspector(),
                        s.peerStates(), refs))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                PeerManager.NAME);
        refs.peers = peers;

        // sync: restarted with backoff; a restarted SyncActor hands consensus back (the LeaderActor rebuilds
        // from the store) and a peer's next certificate starts a new session (ADR 0040)
        NodeState syncState = s.nodeState();
        NodeMetrics syncMetrics = s.metrics();
        ActorRef<SyncActor.Command> sync = context.spawn(
                Behaviors.supervise(SyncActor.create(s.config().sync(), s.config().peerLimits().maxMessageBytes(),
                        s.consensus().chainId(), s.consensus().validators(), Address.of(s.key().publicKey()), s.chain(),
                        s.executor(), peers, new SyncActor.Consensus() {
                            @Override
                            public void pause(ActorRef<SyncActor.Command> replyTo) {
                                refs.leader.tell(new LeaderActor.PauseForSync(replyTo));
                            }

                            @Override
                            public void resume() {
                                refs.leader.tell(new LeaderActor.ResumeAfterSync());
                            }
                        }, (block, certificate, executed) -> storage.tell(new StorageActor.Commit(block, certificate, executed)),
                        new SyncActor.Status() {
                            @Override
                            public void bulkSyncing(boolean syncing) {
                                syncState.setBulkSyncing(syncing);
                            }

                            @Override
                            public void sessionStarted() {
                                syncState.bulkSyncSessionStarted();
                                syncMetrics.bulkSyncSessions.inc();
                            }

                            @Override
                            public void blockCommitted() {
                                syncState.bulkSyncedBlock();
                                syncMetrics.bulkSyncBlocks.inc();
                            }

                            @Override
                            public void rejected(String reason) {
                                syncMetrics.bulkSyncRejected.inc(reason);
                            }
                        }, syncState::bulkSyncing))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2)),
                "sync");
        refs.sync = sync;

        ActorRef<LeaderActor.Command> leader = context.spawn(
                Behaviors.supervise(LeaderActor.create(s.consensus(), s.key(), s.chain(), s.executor(), storage, peers,
                        s.nodeState(), s.metrics(), SignatureVerifier.ED25519,
                        s.config().dataDirectory().resolve("pending-blocks"), sync))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                "consensus");
        refs.leader = leader;

        ActorRef<MempoolActor.Command> mempool = context.spawn(
                Behaviors.supervise(MempoolActor.create(s.mempool(), s.config().mempool(), new StateAccounts(s.state()), peers,
                        leader, s.nodeState(), s.metrics(), s.verifiedSignatures()))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                "mempool");
        refs.mempool = mempool;
        peers.tell(new PeerManager.RoutesReady());

        for (NodeExtension extension : s.extensions()) {
            @SuppressWarnings("unchecked")
            Behavior<Object> behavior = (Behavior<Object>) extension.behavior(s.services());
            context.spawn(Behaviors.supervise(behavior)
                    .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
                    extension.name());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onSignal(Terminated.class, this::onTerminated)
                .build();
    }

    private Behavior<Command> onTerminated(Terminated terminated) {
        if (terminated.getRef().equals(storage)) {
            nodeState.setStorageOpen(false);
            getContext().getLog().error("storage failed: stopping the node (no further blocks are committed or voted on)");
            CoordinatedShutdown.get(getContext().getSystem()).run(StorageFailed.INSTANCE);
        }
        return this;
    }
}
