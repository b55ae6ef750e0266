package org.meshchain.core.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.meshchain.core.types.Address;

/**
 * Round-robin with leader reputation, from committed data only. For round r the window is the
 * rounds [r - lag - window, r - lag); the validators that proposed a committed block in it are the
 * active ones, and r is led by active[r mod |active|] (in address order). Rounds that are a
 * multiple of {@code reviveEvery}, and windows with no committed block, use plain round-robin, so a
 * skipped validator gets chances to come back. A node whose committed chain does not yet reach
 * round r - lag - 1 cannot know the window exactly ({@link #knows}); it then uses plain round-robin
 * for r, so all such nodes agree with each other, and accepts any member's proposal for r (safety never
 * depends on who leads).
 */
final class LeaderElection {

    private final ValidatorSet validators;
    private final int window;
    private final int lag;
    private final int reviveEvery;
    private final TreeMap<Long, Integer> committedProposers = new TreeMap<>();
    private long highestCommittedRound;
    /** leader(round) is asked several times per event; answers only change when a commit is recorded. */
    private final Map<Long, Address> memo = new java.util.HashMap<>();

    LeaderElection(ValidatorSet validators, int window, int lag, int reviveEvery) {
        this.validators = validators;
        this.window = window;
        this.lag = lag;
        this.reviveEvery = reviveEvery;
    }

    void recordCommitted(long round, Address proposer) {
        memo.clear();
        int index = validators.indexOf(proposer);
        if (index >= 0) {
            committedProposers.put(round, index);
        }
        highestCommittedRound = Math.max(highestCommittedRound, round);
        long keepFrom = highestCommittedRound - 2L * (window + lag) - 2;
        while (!committedProposers.isEmpty() && committedProposers.firstKey() < keepFrom) {
            committedProposers.pollFirstEntry();
        }
    }

    boolean knows(long round) {
        return highestCommittedRound >= round - lag - 1;
    }

    Address leader(long round) {
        Address known = memo.get(round);
        if (known != null) {
            return known;
        }
        Address computed = computeLeader(round);
        if (memo.size() >= 16) {
            memo.clear();
        }
        memo.put(round, computed);
        return computed;
    }

    private Address computeLeader(long round) {
        int n = validators.size();
        long plain = Math.floorMod(round, (long) n);
        if (round % reviveEvery == 0) {
            return validators.get((int) Math.floorMod(round / reviveEvery, (long) n));
        }
        if (!knows(round)) {
            // Partial committed data differs between nodes and would make them disagree on the leader
            // (two honest proposals, votes sent to different aggregators: a round lost every time).
            // Everyone who cannot know the window uses the same plain rotation instead.
            return validators.get((int) plain);
        }
        long to = round - lag;
        long from = to - window;
        if (to <= 1) {
            return validators.get((int) plain);
        }
        TreeSet<Integer> active = new TreeSet<>();
        for (Map.Entry<Long, Integer> e : committedProposers.subMap(Math.max(0, from), true, to, false).entrySet()) {
            active.add(e.getValue());
        }
        if (active.isEmpty()) {
            return validators.get((int) plain);
        }
        List<Integer> ordered = new ArrayList<>(active);
        return validators.get(ordered.get((int) Math.floorMod(round, (long) ordered.size())));
    }

    boolean isValidLeader(long round, Address proposer) {
        if (!validators.contains(proposer)) {
            return false;
        }
        return !knows(round) || leader(round).equals(proposer);
    }
}
