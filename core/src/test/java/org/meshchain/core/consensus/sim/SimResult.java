package org.meshchain.core.consensus.sim;

import java.util.List;

/** Outcome of one run: violations (empty when every invariant held) and figures. */
public record SimResult(long seed, SimParams params, List<String> violations, long minHonestHeight, long maxHeight,
        long steps, long messages, long misbehaviourReports, long signatureVerifications, long maxRound) {

    public boolean ok() {
        return violations.isEmpty();
    }

    @Override
    public String toString() {
        return "seed=" + seed + " n=" + params.validators() + " byzantine=" + params.byzantine() + " heights=" + minHonestHeight
                + ".." + maxHeight + " maxRound=" + maxRound + " steps=" + steps + " messages=" + messages
                + " misbehaviour=" + misbehaviourReports + " verifications=" + signatureVerifications
                + (violations.isEmpty() ? "" : " VIOLATIONS=" + violations);
    }
}
