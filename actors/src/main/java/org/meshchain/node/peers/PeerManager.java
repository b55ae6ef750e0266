package org.meshchain.node.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.Misbehaviour;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.NodeRefs;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.wire.PeerEnvelope;
import org.meshchain.node.wire.WireCodec;

/**
 * One PeerActor per other validator (DESIGN 5.3). Receives every envelope remote validators send
 * (it is the actor at {@code /user/peers} on every node) and routes it to the claimed sender's
 * PeerActor, which checks it; sends what consensus and the mempool want sent, encoding each message
 * once and letting each PeerActor sign its copy. PeerActors restart with backoff when they fail; their
 * scores and bans live in {@link PeerState}s kept here, so a restart forgets neither.
 */
public final class PeerManager extends AbstractBehavior<PeerManager.Command> {

    /** The path every node's PeerManager is at; remote validators send their envelopes there. */
    public static final String NAME = "peers";

    /** Inbound envelopes from remote validators are commands too (they arrive over Artery). */
    public interface Command {}

    /** The guardian has spawned consensus and the mempool (where verified inbound messages go). */
    public record RoutesReady() implements Command {}

    public record SendConsensus(Address to, ConsensusMessage message) implements Command {}

    public record BroadcastConsensus(ConsensusMessage message) implements Command {}

    public record BroadcastTransactions(List<SignedTransaction> transactions) implements Command {}

    public record Misbehaved(Address peer, Misbehaviour kind, String detail) implements Command {}

    /** A bulk sync request or response for one validator (ADR 0040). */
    public record SendBulkSync(Address to, org.meshchain.node.sync.BulkSyncMessage message) implements Command {}

    /** Bulk sync found a peer's response invalid: penalise it with the named reason (a key of peers.penalty). */
    public record PenalizeSync(Address peer, String reason, String detail) implements Command {}

    /** Counters the peer actors update. */
    public interface PeerMetrics {
        void dropped(String reason);

        void penalty(String reason);

        void banned(Address peer);
    }

    /** What every PeerActor of this node shares. */
    record Context(ChainId chainId, Ed25519PrivateKey key, WireCodec codec, NodeConfig.Peers limits, PeerMetrics metrics,
            InboundInspector inspector) {}

    private final Address self;
    private final Context shared;
    private final ValidatorSet validators;
    private final Map<Address, PeerState> states;
    private final Map<Address, NodeConfig.PeerAddress> addresses = new HashMap<>();
    private final Map<Address, ActorRef<PeerActor.Command>> peerActors = new HashMap<>();
    private final List<PeerEnvelope> earlyInbound = new ArrayList<>();
    private final NodeRefs routes;
    private boolean started;

    public static Behavior<Command> create(ChainId chainId, Ed25519PrivateKey key, ValidatorSet validators,
            List<NodeConfig.PeerAddress> peerAddresses, String systemName, WireCodec codec, NodeConfig.Peers limits,
            PeerMetrics metrics, InboundInspector inspector, Map<Address, PeerState> states, NodeRefs routes) {
        return Behaviors.setup(ctx -> new PeerManager(ctx, chainId, key, validators, peerAddresses, systemName, codec, limits,
                metrics, inspector, states, routes));
    }

    /** The score boards the PeerManager uses (created before it, so NodeServices can read them). */
    public static Map<Address, PeerState> newStates(Address self, ValidatorSet validators, NodeConfig.Peers limits) {
        Map<Address, PeerState> states = new java.util.TreeMap<>();
        for (Address validator : validators.addresses()) {
            if (!validator.equals(self)) {
                states.put(validator, new PeerState(validator, limits));
            }
        }
        return java.util.Collections.unmodifiableMap(states);
    }

    private final String systemName;

    private PeerManager(ActorContext<Command> context, ChainId chainId, Ed25519PrivateKey key, ValidatorSet validators,
            List<NodeConfig.PeerAddress> peerAddresses, String systemName, WireCodec codec, NodeConfig.Peers limits,
            PeerMetrics metrics, InboundInspector inspector, Map<Address, PeerState> states, NodeRefs routes) {
        super(context);
        this.routes = routes;
        this.self = Address.of(key.publicKey());
        this.shared = new Context(chainId, key, codec, limits, metrics, inspector);
        this.validators = validators;
        this.states = states;
        this.systemName = systemName;
        for (NodeConfig.PeerAddress address : peerAddresses) {
            addresses.put(address.validator(), address);
        }
        if (routes.leader != null && routes.mempool != null) {
            startPeers(); // restarted after a failure: the rest of the node is already up
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(RoutesReady.class, r -> {
                    startPeers();
                    return this;
                })
                .onMessage(PeerEnvelope.class, this::onInbound)
                .onMessage(SendConsensus.class, this::onSend)
                .onMessage(BroadcastConsensus.class, this::onBroadcast)
                .onMessage(BroadcastTransactions.class, this::onTransactions)
                .onMessage(Misbehaved.class, this::onMisbehaved)
                .onMessage(SendBulkSync.class, this::onSendBulkSync)
                .onMessage(PenalizeSync.class, p -> {
                    ActorRef<PeerActor.Command> peer = peerActors.get(p.peer());
                    if (peer != null) {
                        peer.tell(new PeerActor.Penalize(p.reason(), "bulk sync: " + p.detail()));
                    }
                    return this;
                })
                .build();
    }

    private void startPeers() {
        if (started) {
            return;
        }
        started = true;
        ActorRefResolver resolver = ActorRefResolver.get(getContext().getSystem());
        for (Address validator : validators.addresses()) {
            if (validator.equals(self)) {
                continue;
            }
            NodeConfig.PeerAddress where = addresses.get(validator);
            if (where == null) {
                getContext().getLog().warn("no cluster.peers entry for validator {}: it cannot be reached from here", validator);
                continue;
            }
            ActorRef<PeerEnvelope> remote = resolver.resolveActorRef(
                    "pekko://" + systemName + "@" + where.host() + ":" + where.port() + "/user/" + NAME);
            ActorRef<PeerActor.Command> peer = getContext().spawn(
                    Behaviors.supervise(PeerActor.create(states.get(validator), validators.key(validator), remote, routes, shared))
                            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2)),
                    "peer-" + validator.toHex().substring(0, 16));
            peerActors.put(validator, peer);
        }
        for (PeerEnvelope early : earlyInbound) {
            onInbound(early);
        }
        earlyInbound.clear();
    }

    private Behavior<Command> onInbound(PeerEnvelope envelope) {
        if (!started) {
            if (earlyInbound.size() < 1024) {
                earlyInbound.add(envelope);
            }
            return this;
        }
        if (!envelope.to().equals(self)) {
            shared.metrics().dropped("wrong_recipient");
            return this;
        }
        ActorRef<PeerActor.Command> peer = peerActors.get(envelope.from());
        if (peer == null) {
            shared.metrics().dropped("unknown_sender");
            return this;
        }
        if (states.get(envelope.from()).banned(System.currentTimeMillis())) {
            // dropped here already: a banned peer's flood costs one map lookup, not a hop per message
            shared.metrics().dropped("banned");
            return this;
        }
        peer.tell(new PeerActor.Inbound(envelope));
        return this;
    }

    private Behavior<Command> onSend(SendConsensus send) {
        ActorRef<PeerActor.Command> peer = peerActors.get(send.to());
        if (peer != null) {
            peer.tell(new PeerActor.Outbound(WireCodec.kindOf(send.message()), shared.codec().encode(send.message())));
        }
        return this;
    }

    private Behavior<Command> onSendBulkSync(SendBulkSync send) {
        ActorRef<PeerActor.Command> peer = peerActors.get(send.to());
        if (peer != null) {
            peer.tell(new PeerActor.Outbound(WireCodec.kindOf(send.message()), shared.codec().encode(send.message())));
        }
        return this;
    }

    private Behavior<Command> onBroadcast(BroadcastConsensus broadcast) {
        byte[] payload = shared.codec().encode(broadcast.message());
        WireCodec.Kind kind = WireCodec.kindOf(broadcast.message());
        for (ActorRef<PeerActor.Command> peer : peerActors.values()) {
            peer.tell(new PeerActor.Outbound(kind, payload));
        }
        return this;
    }

    private Behavior<Command> onTransactions(BroadcastTransactions batch) {
        if (batch.transactions().isEmpty()) {
            return this;
        }
        byte[] payload = shared.codec().encodeTransactions(batch.transactions());
        for (ActorRef<PeerActor.Command> peer : peerActors.values()) {
            peer.tell(new PeerActor.Outbound(WireCodec.Kind.TRANSACTIONS, payload));
        }
        return this;
    }

    private Behavior<Command> onMisbehaved(Misbehaved report) {
        ActorRef<PeerActor.Command> peer = peerActors.get(report.peer());
        if (peer != null) {
            String reason = switch (report.kind()) {
                case INVALID_SIGNATURE -> "invalid-signature";
                case EQUIVOCATION -> "equivocation";
                case OVERSIZED -> "oversized";
                default -> "protocol";
            };
            peer.tell(new PeerActor.Penalize(reason, report.kind() + ": " + report.detail()));
        }
        return this;
    }
}
