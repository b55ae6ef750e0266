package org.meshchain.core.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.meshchain.core.types.Address;

class LeaderElectionTest {

    private static final Address[] V = TestNet.SET.addresses().toArray(new Address[0]);

    private static LeaderElection committedUpTo(long lastRound) {
        LeaderElection e = new LeaderElection(TestNet.SET, 30, 10, 10);
        for (long r = 1; r <= lastRound; r++) {
            // validator 3 never gets a block committed: reputation skips it once the window is known
            e.recordCommitted(r, V[(int) (r % 3)]);
        }
        return e;
    }

    @Test
    void nodesThatCannotKnowTheWindowAgreeOnPlainRotationWhateverTheirPartialHistory() {
        LeaderElection shortHistory = committedUpTo(12);
        LeaderElection longerHistory = committedUpTo(20);
        long round = 45; // needs commits up to round 34 to know the window [5, 35)
        assertThat(shortHistory.knows(round)).isFalse();
        assertThat(longerHistory.knows(round)).isFalse();
        for (long r = round; r < round + 8; r++) {
            if (r % 10 == 0) {
                continue;
            }
            assertThat(shortHistory.leader(r)).isEqualTo(longerHistory.leader(r)).isEqualTo(V[(int) (r % 4)]);
            // and either accepts any member's proposal for such a round
            assertThat(shortHistory.isValidLeader(r, V[3])).isTrue();
        }
    }

    @Test
    void nodesThatKnowTheWindowUseReputationAndSkipTheSilentValidator() {
        LeaderElection a = committedUpTo(40);
        LeaderElection b = committedUpTo(44);
        for (long r = 41; r <= 51; r++) {
            if (r % 10 == 0) {
                continue;
            }
            assertThat(a.knows(r)).isTrue();
            assertThat(a.leader(r)).isEqualTo(b.leader(r)).isNotEqualTo(V[3]);
            assertThat(a.isValidLeader(r, V[3])).isFalse();
        }
    }
}
