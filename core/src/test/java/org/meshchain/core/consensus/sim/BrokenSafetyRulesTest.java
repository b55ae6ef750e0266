package org.meshchain.core.consensus.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The simulator is only worth something if it catches a broken protocol: with
 * {@link ForgetfulSafetyRules} (forgets last_voted_round) plugged in through the same
 * {@code SafetyRules} port as the real rules, seeds of the default tier must show a violation.
 */
class BrokenSafetyRulesTest {

    @Test
    void forgettingLastVotedRoundIsCaughtWithinTheDefaultTier() {
        long duration = SimRunner.longProperty("sim.durationMs", 300_000);
        SimRunner.Summary summary = SimRunner.run(0, 2_000, SimRunner.threads(),
                s -> SimParams.fromSeed(s, duration).withSafetyRules(ForgetfulSafetyRules::new), 1);
        System.out.println("broken safety rules: " + summary
                + (summary.failures().isEmpty() ? "" : " first caught: " + summary.failures().get(0)));
        assertThat(summary.failures()).as("the simulator must catch forgotten last_voted_round").isNotEmpty();
        assertThat(summary.failures().get(0).violations()).anySatisfy(v -> assertThat(v).contains("signed two different votes"));
    }

    @Test
    void theRealRulesPassTheSameSeedsThatCatchTheBrokenOnes() {
        long duration = SimRunner.longProperty("sim.durationMs", 300_000);
        SimRunner.Summary broken = SimRunner.run(0, 2_000, SimRunner.threads(),
                s -> SimParams.fromSeed(s, duration).withSafetyRules(ForgetfulSafetyRules::new), 1);
        assertThat(broken.failures()).isNotEmpty();
        long seed = broken.failures().get(0).seed();
        assertThat(new Simulation(SimParams.fromSeed(seed, duration)).run().violations()).isEmpty();
    }
}
