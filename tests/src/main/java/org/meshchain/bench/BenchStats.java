package org.meshchain.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles and formatting shared by the benchmark harnesses. */
final class BenchStats {

    private BenchStats() {
    }

    /** The p-th percentile (0..100) of the samples, nearest-rank. */
    static double percentile(double[] samples, double p) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String format(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : value >= 1 ? "%.2f" : "%.4f", value);
    }
}
