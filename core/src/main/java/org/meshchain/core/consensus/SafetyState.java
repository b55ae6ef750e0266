package org.meshchain.core.consensus;

import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.Vote;

/**
 * What a validator must remember across crashes so that it never contradicts itself (DESIGN 5.2).
 *
 * @param lastVotedRound  highest round it voted in or timed out (it never votes there again)
 * @param preferredRound  its lock: the highest QC round it has acted on (voted on a block carrying it,
 *                        or signed a timeout carrying it); it never times out with a lower high QC
 * @param highestTimeoutRound highest round it signed a timeout for
 * @param lastVote        the last vote signed (re-sent unchanged if asked again for the same round), or null
 * @param lastTimeout     the last timeout signed (re-broadcast unchanged), or null
 */
public record SafetyState(long lastVotedRound, long preferredRound, long highestTimeoutRound, Vote lastVote, Timeout lastTimeout) {

    public static final SafetyState INITIAL = new SafetyState(0, 0, 0, null, null);

    public SafetyState {
        if (lastVotedRound < 0 || preferredRound < 0 || highestTimeoutRound < 0) {
            throw new IllegalArgumentException("rounds are non-negative");
        }
    }
}
