package org.meshchain.node.peers;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.wire.PeerEnvelope;
import org.meshchain.node.wire.WireCodec;

/**
 * Everything one other validator sends passes through here (DESIGN 5.3): ban check, size limit,
 * token bucket per message kind, envelope signature against the validator's key, strict decoding,
 * then hand-off to consensus or the mempool. Each violation costs the peer score (ADR 0027). Outbound
 * messages to the peer are signed here and handed to Artery, whose queue is bounded.
 */
public final class PeerActor extends AbstractBehavior<PeerActor.Command> {

    public sealed interface Command {}

    record Inbound(PeerEnvelope envelope) implements Command {}

    record Outbound(WireCodec.Kind kind, byte[] payload) implements Command {}

    record Penalize(String reason, String detail) implements Command {}

    private final PeerState state;
    private final ChainId chainId;
    private final Ed25519PrivateKey key;
    private final Ed25519PublicKey peerKey;
    private final ActorRef<PeerEnvelope> remote;
    private final WireCodec codec;
    private final org.meshchain.node.NodeRefs routes;
    private final PeerManager.Context shared;

    static Behavior<Command> create(PeerState state, Ed25519PublicKey peerKey, ActorRef<PeerEnvelope> remote,
            org.meshchain.node.NodeRefs routes, PeerManager.Context shared) {
        return Behaviors.setup(ctx -> new PeerActor(ctx, state, peerKey, remote, routes, shared));
    }

    private PeerActor(ActorContext<Command> context, PeerState state, Ed25519PublicKey peerKey,
            ActorRef<PeerEnvelope> remote, org.meshchain.node.NodeRefs routes, PeerManager.Context shared) {
        super(context);
        this.state = state;
        this.chainId = shared.chainId();
        this.key = shared.key();
        this.peerKey = peerKey;
        this.remote = remote;
        this.codec = shared.codec();
        this.routes = routes;
        this.shared = shared;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Inbound.class, this::onInbound)
                .onMessage(Outbound.class, this::onOutbound)
                .onMessage(Penalize.class, p -> {
                    penalize(p.reason(), p.detail());
                    return this;
                })
                .build();
    }

    private Behavior<Command> onOutbound(Outbound out) {
        remote.tell(PeerEnvelope.sign(chainId, key, state.validator(), out.kind(), out.payload()));
        return this;
    }

    private Behavior<Command> onInbound(Inbound in) {
        PeerEnvelope envelope = in.envelope();
        long now = System.currentTimeMillis();
        if (state.banned(now)) {
            shared.metrics().dropped("banned");
            return this;
        }
        if (envelope.wireSize() > shared.limits().maxMessageBytes()) {
            penalize("oversized", envelope.wireSize() + " bytes");
            return this;
        }
        WireCodec.Kind kind;
        try {
            kind = WireCodec.Kind.of(envelope.kind());
        } catch (DecodeException e) {
            penalize("malformed", e.getMessage());
            return this;
        }
        if (!state.takeToken(kind)) {
            penalize("flood", kind.name());
            return this;
        }
        if (!envelope.verify(chainId, peerKey)) {
            penalize("invalid-signature", kind.name());
            return this;
        }
        byte[] payload = envelope.payload().toByteArray();
        shared.inspector().inspect(state.validator(), kind, payload);
        try {
            if (kind.isBulkSync()) {
                var sync = routes.sync;
                var message = codec.decodeBulkSync(kind, payload);
                if (sync != null) {
                    sync.tell(new org.meshchain.node.sync.SyncActor.FromPeer(state.validator(), message));
                }
            } else if (kind == WireCodec.Kind.TRANSACTIONS) {
                List<SignedTransaction> batch = codec.decodeTransactions(payload);
                routes.mempool.tell(new org.meshchain.node.MempoolActor.FromPeer(state.validator(), batch));
            } else {
                ConsensusMessage message = codec.decodeConsensus(kind, payload);
                routes.leader.tell(new org.meshchain.node.LeaderActor.FromPeer(state.validator(), message));
            }
            state.validMessage(now);
        } catch (DecodeException | IllegalArgumentException | NullPointerException e) {
            penalize("malformed", kind.name() + ": " + e.getMessage());
        }
        return this;
    }

    private void penalize(String reason, String detail) {
        double amount = shared.limits().penalties().getOrDefault(reason, shared.limits().penalties().get("protocol"));
        shared.metrics().penalty(reason);
        if (state.penalize(amount, System.currentTimeMillis())) {
            getContext().getLog().warn("banned validator {} for {} (last offence: {} {})", state.validator(),
                    shared.limits().banDuration(), reason, detail);
            shared.metrics().banned(state.validator());
        } else {
            getContext().getLog().debug("peer {} penalized {} for {}: {}", state.validator(), amount, reason, detail);
        }
    }
}
