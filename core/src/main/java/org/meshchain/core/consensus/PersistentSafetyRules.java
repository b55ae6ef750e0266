package org.meshchain.core.consensus;

import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.TimeoutSignature;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

/**
 * The 2-chain safety rules (Jolteon / DiemBFT v4):
 * <ul>
 * <li>vote only in a round above {@code lastVotedRound} (so never two votes, and never a vote in a
 * round already timed out); asked again for the same block, return the same vote;</li>
 * <li>vote only for a block whose QC is from the previous round, or whose TC is from the previous
 * round and whose QC is at least the highest QC any TC signer reported (the TC proves no higher
 * block can have been committed); and never for a block whose QC is below the lock
 * {@code preferredRound};</li>
 * <li>time out only a round at or above {@code lastVotedRound}, with a high QC not below the lock;
 * a timeout raises {@code lastVotedRound} to its round.</li>
 * </ul>
 * Started from the persisted {@link SafetyState} after a restart.
 */
public final class PersistentSafetyRules implements SafetyRules {

    private final ChainId chainId;
    private final Ed25519PrivateKey key;
    private final Address validator;
    private SafetyState state;

    public PersistentSafetyRules(ChainId chainId, Ed25519PrivateKey key, SafetyState persisted) {
        this.chainId = Objects.requireNonNull(chainId, "chainId");
        this.key = Objects.requireNonNull(key, "key");
        this.validator = Address.of(key.publicKey());
        this.state = Objects.requireNonNull(persisted, "persisted");
    }

    @Override
    public Address validator() {
        return validator;
    }

    @Override
    public SafetyState state() {
        return state;
    }

    @Override
    public Optional<Vote> signVote(Block block, VoteData data) {
        BlockHeader h = block.header();
        if (!data.blockId().equals(block.id()) || data.round() != h.round() || data.height() != h.height()) {
            return Optional.empty();
        }
        Vote last = state.lastVote();
        if (last != null && last.data().round() == h.round()) {
            return last.data().equals(data) ? Optional.of(last) : Optional.empty();
        }
        if (h.round() <= state.lastVotedRound()) {
            return Optional.empty();
        }
        long qcRound = h.justify().round();
        if (!safeToVote(h.round(), qcRound, h.timeoutCertificate(), state.preferredRound())) {
            return Optional.empty();
        }
        Vote vote = Vote.sign(data, key);
        state = new SafetyState(h.round(), Math.max(state.preferredRound(), qcRound), state.highestTimeoutRound(), vote,
                state.lastTimeout());
        return Optional.of(vote);
    }

    /**
     * Extends the locked chain directly (QC of the previous round, not below the lock), or a TC of the
     * previous round proves it safe (the QC is at least as high as every QC the TC's signers held).
     */
    public static boolean safeToVote(long round, long qcRound, TimeoutCertificate tc, long preferredRound) {
        if (round == qcRound + 1 && qcRound >= preferredRound) {
            return true;
        }
        return tc != null && round == tc.round() + 1 && qcRound >= maxReportedQcRound(tc);
    }

    public static long maxReportedQcRound(TimeoutCertificate tc) {
        long max = 0;
        for (TimeoutSignature s : tc.signatures()) {
            max = Math.max(max, s.highQcRound());
        }
        return max;
    }

    @Override
    public Optional<Timeout> signTimeout(long round, QuorumCertificate highQc, TimeoutCertificate lastRoundTc) {
        Timeout last = state.lastTimeout();
        if (last != null && last.round() == round) {
            return Optional.of(last);
        }
        if (round < state.lastVotedRound() || round <= state.highestTimeoutRound()) {
            return Optional.empty();
        }
        if (highQc.round() < state.preferredRound() || highQc.round() >= round) {
            return Optional.empty();
        }
        Timeout timeout = Timeout.sign(chainId, round, highQc, key);
        state = new SafetyState(Math.max(state.lastVotedRound(), round), Math.max(state.preferredRound(), highQc.round()),
                round, state.lastVote(), timeout);
        return Optional.of(timeout);
    }
}
