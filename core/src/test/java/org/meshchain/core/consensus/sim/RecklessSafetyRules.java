package org.meshchain.core.consensus.sim;

import java.util.Optional;
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

/** A Byzantine validator's "safety rules": signs whatever it is asked to. */
final class RecklessSafetyRules implements SafetyRules {

    private final ChainId chainId;
    private final Ed25519PrivateKey key;
    private final Address validator;
    private SafetyState state = SafetyState.INITIAL;

    RecklessSafetyRules(ChainId chainId, Ed25519PrivateKey key) {
        this.chainId = chainId;
        this.key = key;
        this.validator = Address.of(key.publicKey());
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
        Vote v = Vote.sign(data, key);
        state = new SafetyState(Math.max(state.lastVotedRound(), data.round()), 0, state.highestTimeoutRound(), v, state.lastTimeout());
        return Optional.of(v);
    }

    @Override
    public Optional<Timeout> signTimeout(long round, QuorumCertificate highQc, TimeoutCertificate lastRoundTc) {
        if (state.lastTimeout() != null && state.lastTimeout().round() == round) {
            return Optional.of(state.lastTimeout());
        }
        Timeout t = Timeout.sign(chainId, round, highQc, key);
        state = new SafetyState(state.lastVotedRound(), 0, Math.max(round, state.highestTimeoutRound()), state.lastVote(), t);
        return Optional.of(t);
    }
}
