package org.meshchain.core.consensus.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Long tier ({@code -Plong}): 100,000 seeds by default; {@code -Dsim.long.seeds=N} for a shorter form,
 * {@code -Dsim.threads=N} workers (default: all cores), {@code -Dsim.progressEvery=N} for progress lines,
 * {@code -Dsim.progressFile=path} to also append them (and violations) to a file while the run goes.
 */
@Tag("long")
class LongSimulationTest {

    @Test
    void longTierFindsNoViolation() {
        long seeds = SimRunner.longProperty("sim.long.seeds", 100_000);
        long first = SimRunner.longProperty("sim.long.firstSeed", 1_000_000);
        long duration = SimRunner.longProperty("sim.durationMs", 300_000);
        SimRunner.Summary summary = SimRunner.run(first, seeds, SimRunner.threads(), s -> SimParams.fromSeed(s, duration), 0);
        SimRunner.report("long tier (first seed " + first + ", " + duration + " ms each): " + summary);
        assertThat(summary.failures()).as("violating seeds").isEmpty();
    }
}
