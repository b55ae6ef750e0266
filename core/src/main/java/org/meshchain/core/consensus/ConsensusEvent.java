package org.meshchain.core.consensus;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.SignedTransaction;

/** Inputs of the core. Time enters only as {@code nowMs}, the shell's clock when the event happened. */
public sealed interface ConsensusEvent {

    long nowMs();

    /** First event after construction (start or restart): arms the round timer, proposes if leader. */
    record Start(long nowMs) implements ConsensusEvent {
    }

    record ProposalReceived(Address from, ConsensusMessage.Proposal proposal, long nowMs) implements ConsensusEvent {
    }

    record VoteReceived(Address from, ConsensusMessage.VoteMessage vote, long nowMs) implements ConsensusEvent {
    }

    record TimeoutReceived(Address from, ConsensusMessage.TimeoutMessage timeout, long nowMs) implements ConsensusEvent {
    }

    record SyncRequestReceived(Address from, ConsensusMessage.SyncRequest request, long nowMs) implements ConsensusEvent {
    }

    /** A peer asks for a certified block by id (see {@link ConsensusMessage.BlockRequest}). */
    record BlockRequestReceived(Address from, ConsensusMessage.BlockRequest request, long nowMs) implements ConsensusEvent {
    }

    record SyncResponseReceived(Address from, ConsensusMessage.SyncResponse response, long nowMs) implements ConsensusEvent {
    }

    /** A timer set by {@link ConsensusAction.SetTimer} fired (stale ones are ignored by the core). */
    record TimerFired(ConsensusAction.TimerKind kind, long round, long nowMs) implements ConsensusEvent {
    }

    /** The shell executed a block requested by {@link ConsensusAction.ExecuteBlock}. */
    record BlockExecuted(Hash32 blockId, Hash32 stateRoot, Hash32 receiptRoot, long nowMs) implements ConsensusEvent {
        public BlockExecuted {
            Objects.requireNonNull(blockId, "blockId");
            Objects.requireNonNull(stateRoot, "stateRoot");
            Objects.requireNonNull(receiptRoot, "receiptRoot");
        }
    }

    /** Transactions from the local mempool, for this node's next proposals. */
    record TransactionsAvailable(List<SignedTransaction> transactions, long nowMs) implements ConsensusEvent {
        public TransactionsAvailable {
            transactions = List.copyOf(transactions);
        }
    }

    /** Wraps a message from an authenticated peer as the matching event. */
    static ConsensusEvent received(Address from, ConsensusMessage message, long nowMs) {
        Objects.requireNonNull(from, "from");
        return switch (message) {
            case ConsensusMessage.Proposal p -> new ProposalReceived(from, p, nowMs);
            case ConsensusMessage.VoteMessage v -> new VoteReceived(from, v, nowMs);
            case ConsensusMessage.TimeoutMessage t -> new TimeoutReceived(from, t, nowMs);
            case ConsensusMessage.SyncRequest r -> new SyncRequestReceived(from, r, nowMs);
            case ConsensusMessage.BlockRequest r -> new BlockRequestReceived(from, r, nowMs);
            case ConsensusMessage.SyncResponse r -> new SyncResponseReceived(from, r, nowMs);
        };
    }
}
