package org.meshchain.core.consensus.sim;

import java.util.SplittableRandom;

/**
 * One simulation run. {@link #fromSeed} derives a random fault mix from the seed, so the seed alone
 * reproduces the run.
 *
 * @param randomFaults   whether partitions, crashes, drops and Byzantine noise are drawn at random before GST
 * @param wipeOnCrash    probability that a crash also wipes the node's data (only while the fault budget allows)
 */
public record SimParams(
        long seed,
        int validators,
        int byzantine,
        long durationMs,
        long gstMs,
        long livenessBoundMs,
        double dropRate,
        double duplicateRate,
        long minDelayMs,
        long maxDelayMs,
        boolean randomFaults,
        double crashRatePerSecond,
        double wipeOnCrash,
        double partitionRatePerSecond,
        SafetyRulesFactory safetyRules) {

    public static SimParams fromSeed(long seed, long durationMs) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
        int n = r.nextInt(4) == 0 ? 7 : 4;
        int f = (n - 1) / 3;
        int byzantine = r.nextInt(3) == 0 ? 0 : r.nextInt(f + 1);
        long gst = durationMs / 2;
        return new SimParams(seed, n, byzantine, durationMs, gst, 45_000,
                r.nextDouble() * 0.15, r.nextDouble() * 0.05, 5, 50 + r.nextInt(400),
                true, r.nextDouble() * 0.05, r.nextDouble() * 0.5, r.nextDouble() * 0.04,
                SafetyRulesFactory.REAL);
    }

    /** A quiet network with no random faults (scenario tests add their own). */
    public static SimParams quiet(long seed, int validators, long durationMs) {
        return new SimParams(seed, validators, 0, durationMs, 0, 60_000, 0, 0, 5, 100, false, 0, 0, 0, SafetyRulesFactory.REAL);
    }

    public SimParams withSafetyRules(SafetyRulesFactory factory) {
        return new SimParams(seed, validators, byzantine, durationMs, gstMs, livenessBoundMs, dropRate, duplicateRate, minDelayMs,
                maxDelayMs, randomFaults, crashRatePerSecond, wipeOnCrash, partitionRatePerSecond, factory);
    }

    public SimParams withByzantine(int count) {
        return new SimParams(seed, validators, count, durationMs, gstMs, livenessBoundMs, dropRate, duplicateRate, minDelayMs,
                maxDelayMs, randomFaults, crashRatePerSecond, wipeOnCrash, partitionRatePerSecond, safetyRules);
    }

    public SimParams withGst(long gst) {
        return new SimParams(seed, validators, byzantine, durationMs, gst, livenessBoundMs, dropRate, duplicateRate, minDelayMs,
                maxDelayMs, randomFaults, crashRatePerSecond, wipeOnCrash, partitionRatePerSecond, safetyRules);
    }

    public int maxFaulty() {
        return (validators - 1) / 3;
    }
}
