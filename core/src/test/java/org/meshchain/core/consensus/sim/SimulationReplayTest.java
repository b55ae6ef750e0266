package org.meshchain.core.consensus.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replays one seed exactly: {@code -Dsim.seed=N [-Dsim.durationMs=...]}; without it, checks determinism on fixed seeds. */
class SimulationReplayTest {

    @Test
    void replaySeedFromProperty() {
        String seed = System.getProperty("sim.seed");
        org.junit.jupiter.api.Assumptions.assumeTrue(seed != null && !seed.isBlank(), "set -Dsim.seed=N to replay a seed");
        long duration = SimRunner.longProperty("sim.durationMs", 300_000);
        SimResult r = new Simulation(SimParams.fromSeed(Long.parseLong(seed.trim()), duration)).run();
        System.out.println(r);
        assertThat(r.violations()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {2, 23, 77})
    void sameSeedSameRun(long seed) {
        SimResult a = new Simulation(SimParams.fromSeed(seed, 120_000)).run();
        SimResult b = new Simulation(SimParams.fromSeed(seed, 120_000)).run();
        assertThat(a.toString()).isEqualTo(b.toString());
        assertThat(a.steps()).isGreaterThan(1_000);
        assertThat(a.violations()).isEmpty();
    }
}
