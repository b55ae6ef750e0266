package org.meshchain.core.consensus;

import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/**
 * Outputs of the core, to be carried out by the shell IN LIST ORDER. In particular a
 * {@link PersistSafetyState} must be durable (fsync) before any later action in the same list is
 * performed: the vote or timeout that follows it must never leave the node otherwise.
 */
public sealed interface ConsensusAction {

    enum TimerKind {
        /** The round timer (and, after it fired once, the timeout re-broadcast timer). */
        ROUND,
        /** The leader's wait for the minimum block interval before proposing. */
        PROPOSE
    }

    record Send(Address to, ConsensusMessage message) implements ConsensusAction {
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /** To every other validator. */
    record Broadcast(ConsensusMessage message) implements ConsensusAction {
        public Broadcast {
            Objects.requireNonNull(message, "message");
        }
    }

    /** Write the safety state durably before doing anything after this action. */
    record PersistSafetyState(SafetyState state) implements ConsensusAction {
        public PersistSafetyState {
            Objects.requireNonNull(state, "state");
        }
    }

    /** Fire {@link ConsensusEvent.TimerFired} for (kind, round) at shell time {@code atMs}; replaces the previous timer of that kind. */
    record SetTimer(TimerKind kind, long round, long atMs) implements ConsensusAction {
    }

    /** Execute {@code block} on top of its parent's post-state and answer with {@link ConsensusEvent.BlockExecuted}. */
    record ExecuteBlock(Block block) implements ConsensusAction {
        public ExecuteBlock {
            Objects.requireNonNull(block, "block");
        }
    }

    /** {@code block} is final; {@code certificate} is its QC (with the post-state roots). Emitted in height order. */
    record CommitBlock(Block block, QuorumCertificate certificate) implements ConsensusAction {
        public CommitBlock {
            Objects.requireNonNull(block, "block");
            Objects.requireNonNull(certificate, "certificate");
        }

        public Hash32 blockId() {
            return certificate.voteData().blockId();
        }
    }

    /** Ask {@code peer} for blocks (answered by a {@link ConsensusEvent.SyncResponseReceived}). */
    record RequestSync(Address peer, ConsensusMessage.SyncRequest request) implements ConsensusAction {
        public RequestSync {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * Ask {@code peer} for a certified block we lack (and its missing ancestors); the answer comes back
     * as a {@link ConsensusEvent.SyncResponseReceived}. Send it like {@link RequestSync}; an unanswered
     * request needs no action from the shell (the core retries another signer of the certificate).
     */
    record RequestBlock(Address peer, ConsensusMessage.BlockRequest request) implements ConsensusAction {
        public RequestBlock {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(request, "request");
        }
    }

    /** Invalid input from {@code peer}; no state was changed by it. */
    record ReportMisbehaviour(Address peer, Misbehaviour kind, String detail) implements ConsensusAction {
        public ReportMisbehaviour {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(kind, "kind");
        }
    }
}
