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

    /**
     * Prints a line, and appends it to {@code -Dsim.progressFile} when set: surefire keeps test output
     * in its report file until the test ends, and a long run is watched while it runs.
     */
    static synchronized void report(String line) {
        System.out.println(line);
        String file = System.getProperty("sim.progressFile");
        if (file != null && !file.isBlank()) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(file), line + System.lineSeparator(),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
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
                                report(String.format("progress: %d/%d seeds from %d, %d violating, %.0f s, %.2f seeds/s",
                                        done[0], count, first, failures.size(), secs, done[0] / secs));
                            }
                        }
                        if (!r.ok()) {
                            failures.add(r);
                            report("SIMULATION VIOLATION " + r);
                            report("  replay: ./mvnw -o -pl core -am test -Dtest=SimulationReplayTest -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + s
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
