package org.meshchain.core.consensus.sim;

import java.util.Optional;
import org.meshchain.core.consensus.PersistentSafetyRules;
import org.meshchain.core.consensus.SafetyRules;
import org.meshchain.core.consensus.SafetyState;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

/**
 * DELIBERATELY BROKEN safety rules for the simulator's self-test: identical to the real ones except
 * that they forget {@code last_voted_round} (never check it, never raise it), so after a restart a
 * validator may vote again in a round it already voted in. The simulator must catch this.
 */
public final class ForgetfulSafetyRules implements SafetyRules {

    private final ChainId chainId;
    private final Ed25519PrivateKey key;
    private final Address validator;
    private SafetyState state;

    public ForgetfulSafetyRules(ChainId chainId, Ed25519PrivateKey key, SafetyState persisted) {
        this.chainId = chainId;
        this.key = key;
        this.validator = Address.of(key.publicKey());
        this.state = persisted;
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
        long qcRound = block.header().justify().round();
        if (!PersistentSafetyRules.safeToVote(block.header().round(), qcRound, block.header().timeoutCertificate(),
                state.preferredRound())) {
            return Optional.empty();
        }
        Vote vote = Vote.sign(data, key);
        // BUG (on purpose): lastVotedRound is not raised and not checked.
        state = new SafetyState(state.lastVotedRound(), Math.max(state.preferredRound(), qcRound), state.highestTimeoutRound(),
                vote, state.lastTimeout());
        return Optional.of(vote);
    }

    @Override
    public Optional<Timeout> signTimeout(long round, QuorumCertificate highQc, TimeoutCertificate lastRoundTc) {
        if (state.lastTimeout() != null && state.lastTimeout().round() == round) {
            return Optional.of(state.lastTimeout());
        }
        if (highQc.round() < state.preferredRound() || highQc.round() >= round) {
            return Optional.empty();
        }
        Timeout timeout = Timeout.sign(chainId, round, highQc, key);
        state = new SafetyState(state.lastVotedRound(), Math.max(state.preferredRound(), highQc.round()),
                Math.max(round, state.highestTimeoutRound()), state.lastVote(), timeout);
        return Optional.of(timeout);
    }
}
