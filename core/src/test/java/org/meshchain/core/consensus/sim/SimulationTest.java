package org.meshchain.core.consensus.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Default tier: 2,000 seeds (property {@code sim.seeds}) of 300 virtual seconds
 * ({@code sim.durationMs}), 4 and 7 validators, random faults; no invariant may be violated and every
 * honest node must commit again within the liveness bound after GST. Failing seeds print their replay command.
 */
class SimulationTest {

    @Test
    void defaultTierFindsNoViolation() {
        long seeds = SimRunner.longProperty("sim.seeds", 2_000);
        long first = SimRunner.longProperty("sim.firstSeed", 0);
        long duration = SimRunner.longProperty("sim.durationMs", 300_000);
        SimRunner.Summary summary = SimRunner.run(first, seeds, SimRunner.threads(), s -> SimParams.fromSeed(s, duration), 0);
        System.out.println("default tier: " + summary);
        assertThat(summary.seeds()).isEqualTo(seeds);
        assertThat(summary.failures()).as("violating seeds").isEmpty();
        // Not vacuous: the runs do commit blocks (about one per virtual second when healthy).
        assertThat(summary.totalHeight()).isGreaterThan(seeds * duration / 1_000 / 5);
    }
}
