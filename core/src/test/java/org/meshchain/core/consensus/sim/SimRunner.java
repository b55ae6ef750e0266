package org.meshchain.core.consensus.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/** Runs many independent seeds (each simulation single-threaded) and reports figures. */
final class SimRunner {

    record Summary(long seeds, List<SimResult> failures, double seconds, long totalHeight) {
        double seedsPerSecond() {
            return seeds / seconds;
        }

        @Override
        public String toString() {
            return String.format("%d seeds, %d violating, %.1f s, %.2f seeds/s, %d blocks committed (min honest height summed)",
                    seeds, failures.size(), seconds, seedsPerSecond(), totalHeight);
        }
    }

    private SimRunner() {
    }

    static long longProperty(String name, long dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : Long.parseLong(v.trim());
    }

    static int threads() {
        return (int) longProperty("sim.threads", Runtime.getRuntime().availableProcessors());
    }

    /** Runs seeds [first, first + count); stops early after {@code stopAfterFailures} failures (0 = never). */
    static Summary run(long first, long count, int threads, LongFunction<SimParams> params, int stopAfterFailures) {
        long t0 = System.nanoTime();
        long progressEvery = longProperty("sim.progressEvery", 0);
        List<SimResult> failures = Collections.synchronizedList(new ArrayList<>());
        long[] height = new long[1];
        long[] done = new long[1];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> futures = new ArrayList<>();
            int workers = Math.max(1, threads);
            for (int w = 0; w < workers; w++) {
                final int worker = w;
                futures.add(pool.submit(() -> {
                    for (long s = first + worker; s < first + count; s += workers) {
                        if (stopAfterFailures > 0 && failures.size() >= stopAfterFailures) {
                            return;
                        }
                        SimResult r = new Simulation(params.apply(s)).run();
                        synchronized (height) {
                            height[0] += r.minHonestHeight();
                            done[0]++;
                            if (progressEvery > 0 && done[0] % progressEvery == 0) {
                                double secs = (System.nanoTime() - t0) / 1e9;
                                System.out.printf("progress: %d/%d seeds, %d violating, %.0f s, %.2f seeds/s%n",
                                        done[0], count, failures.size(), secs, done[0] / secs);
                            }
                        }
                        if (!r.ok()) {
                            failures.add(r);
                            System.out.println("SIMULATION VIOLATION " + r);
                            System.out.println("  replay: ./mvnw -o -pl core -am test -Dtest=SimulationReplayTest -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + s
                                    + " -Dsim.durationMs=" + r.params().durationMs());
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
        List<SimResult> sorted = new ArrayList<>(failures);
        sorted.sort((a, b) -> Long.compare(a.seed(), b.seed()));
        return new Summary(done[0], sorted, (System.nanoTime() - t0) / 1e9, height[0]);
    }
}
