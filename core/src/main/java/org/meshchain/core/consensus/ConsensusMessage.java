package org.meshchain.core.consensus;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.Vote;

/** What validators send each other. Channels are authenticated by the shell: the sender is known. */
public sealed interface ConsensusMessage {

    /** The leader's block for {@code block.header().round()}; justify and TC are in the header. */
    record Proposal(Block block) implements ConsensusMessage {
        public Proposal {
            Objects.requireNonNull(block, "block");
        }
    }

    /** A vote, sent to the next round's leader. */
    record VoteMessage(Vote vote) implements ConsensusMessage {
        public VoteMessage {
            Objects.requireNonNull(vote, "vote");
        }
    }

    /** A signed timeout, with the TC that let the sender into its round when it has one (may be null). */
    record TimeoutMessage(Timeout timeout, TimeoutCertificate lastRoundTc) implements ConsensusMessage {
        public TimeoutMessage {
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** Ask for blocks from {@code fromHeight} on (committed ones, then the certified tail). */
    record SyncRequest(long fromHeight, int maxBlocks) implements ConsensusMessage {
        public SyncRequest {
            if (fromHeight < 1 || maxBlocks < 1) {
                throw new IllegalArgumentException("fromHeight and maxBlocks must be positive");
            }
        }
    }

    /**
     * Ask for the block certified by {@code certificate} (which the requester holds and verified but
     * whose block it lacks) and its ancestors down to {@code fromHeight}: certified blocks that may not
     * be committed yet. Answered with a {@link SyncResponse} whose last block is that block and whose
     * {@code certifyingQc} is {@code certificate}; a peer that lacks the block does not answer.
     */
    record BlockRequest(QuorumCertificate certificate, long fromHeight) implements ConsensusMessage {
        public BlockRequest {
            Objects.requireNonNull(certificate, "certificate");
            if (fromHeight < 1 || fromHeight > certificate.voteData().height()) {
                throw new IllegalArgumentException("fromHeight must be in [1, the certified block's height]");
            }
        }
    }

    /**
     * Consecutive hash-linked blocks, the last certified by {@code certifyingQc}; every earlier block
     * is certified by its child's justify. {@code responderCommittedHeight} is an unverified hint that
     * tells the requester whether to ask again.
     */
    record SyncResponse(List<Block> blocks, QuorumCertificate certifyingQc, long responderCommittedHeight)
            implements ConsensusMessage {
        public SyncResponse {
            blocks = List.copyOf(blocks);
            Objects.requireNonNull(certifyingQc, "certifyingQc");
        }
    }
}
