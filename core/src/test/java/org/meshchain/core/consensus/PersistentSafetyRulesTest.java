package org.meshchain.core.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.TimeoutSignature;
import org.meshchain.core.types.Vote;

class PersistentSafetyRulesTest {

    private final Ed25519PrivateKey key = TestNet.KEYS.get(0);
    private final Address a = Address.of(TestNet.KEYS.get(1).publicKey());
    private final QuorumCertificate genesis = TestNet.CONFIG.genesisQc();

    private PersistentSafetyRules rules(SafetyState s) {
        return new PersistentSafetyRules(TestNet.CHAIN, key, s);
    }

    @Test
    void neverTwoDifferentVotesInOneRoundEvenAfterRestart() {
        PersistentSafetyRules r = rules(SafetyState.INITIAL);
        Block b1 = TestNet.block(1, 1, genesis, null, a, 10);
        Block b1twin = TestNet.block(1, 1, genesis, null, a, 11);
        Vote v = r.signVote(b1, TestNet.dataFor(b1)).orElseThrow();
        assertThat(r.signVote(b1, TestNet.dataFor(b1))).contains(v); // idempotent
        assertThat(r.signVote(b1twin, TestNet.dataFor(b1twin))).isEmpty();
        assertThat(r.state().lastVotedRound()).isEqualTo(1);
        PersistentSafetyRules restarted = rules(r.state());
        assertThat(restarted.signVote(b1twin, TestNet.dataFor(b1twin))).isEmpty();
        // with the state lost the same request would be signed: the persisted state is what protects
        assertThat(rules(SafetyState.INITIAL).signVote(b1twin, TestNet.dataFor(b1twin))).isPresent();
    }

    @Test
    void noVoteInATimedOutRoundAndNoTimeoutBelowTheLastVote() {
        PersistentSafetyRules r = rules(SafetyState.INITIAL);
        Timeout t = r.signTimeout(1, genesis, null).orElseThrow();
        assertThat(r.signTimeout(1, genesis, null)).contains(t);
        Block b1 = TestNet.block(1, 1, genesis, null, a, 10);
        assertThat(r.signVote(b1, TestNet.dataFor(b1))).isEmpty();

        PersistentSafetyRules v = rules(SafetyState.INITIAL);
        Block b2 = TestNet.block(1, 1, genesis, null, a, 10);
        v.signVote(b2, TestNet.dataFor(b2)).orElseThrow();
        QuorumCertificate qc1 = TestNet.qc(TestNet.dataFor(b2), 3);
        Block b3 = TestNet.block(2, 2, qc1, null, a, 20);
        v.signVote(b3, TestNet.dataFor(b3)).orElseThrow();
        assertThat(v.signTimeout(1, genesis, null)).isEmpty(); // below last vote
        assertThat(v.signTimeout(3, genesis, null)).isEmpty(); // high QC below the lock (round 1)
        assertThat(v.signTimeout(3, qc1, null)).isPresent();
    }

    @Test
    void aBlockNotExtendingTheLockNeedsATcThatProvesItSafe() {
        PersistentSafetyRules r = rules(SafetyState.INITIAL);
        Block b1 = TestNet.block(1, 1, genesis, null, a, 10);
        r.signVote(b1, TestNet.dataFor(b1)).orElseThrow();
        QuorumCertificate qc1 = TestNet.qc(TestNet.dataFor(b1), 3);
        // round 3 on QC 1 without TC: refused
        Block skip = TestNet.block(2, 3, qc1, null, a, 20);
        assertThat(r.signVote(skip, TestNet.dataFor(skip))).isEmpty();
        // round 3 with a TC of round 2 whose signers reported QC round 1 at most: safe
        TimeoutCertificate tc = tc(2, qc1, 1);
        Block withTc = TestNet.block(2, 3, qc1, tc, a, 20);
        assertThat(r.signVote(withTc, TestNet.dataFor(withTc))).isPresent();
        // a TC in which someone reported a higher QC than the block's: refused
        PersistentSafetyRules r2 = rules(SafetyState.INITIAL);
        TimeoutCertificate higher = tc(4, qc1, 2);
        Block stale = TestNet.block(2, 5, qc1, higher, a, 30);
        assertThat(r2.signVote(stale, TestNet.dataFor(stale))).isEmpty();
    }

    private static TimeoutCertificate tc(long round, QuorumCertificate highQc, long maxReported) {
        List<TimeoutSignature> sigs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long reported = i == 0 ? maxReported : 0;
            Timeout t = new Timeout(TestNet.CHAIN, round, highQc, Address.of(TestNet.KEYS.get(i).publicKey()),
                    org.meshchain.core.crypto.Ed25519.sign(TestNet.KEYS.get(i), TimeoutCertificate.signingHash(TestNet.CHAIN, round, reported)));
            sigs.add(new TimeoutSignature(t.validator(), reported, t.signature()));
        }
        sigs.sort(null);
        return new TimeoutCertificate(round, highQc, sigs);
    }
}
