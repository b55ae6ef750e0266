package org.meshchain.node.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * One node's metrics, rendered in the Prometheus text format for {@code /metrics}. Thread-safe and
 * lock-free on the update path; label sets per metric are bounded ({@link #MAX_SERIES_PER_METRIC}) so
 * a peer or device cannot grow memory by inventing label values — past the bound, updates go to one
 * {@code overflow} series.
 */
public final class Metrics {

    public static final int MAX_SERIES_PER_METRIC = 512;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final String OVERFLOW = "overflow";

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();

    private sealed interface Metric permits Counter, Gauge, Histogram {
        String name();

        String help();

        void render(StringBuilder out);
    }

    /** A monotonically increasing count, optionally split by one label. */
    public Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(checkName(name), help, labelNames), Counter.class);
    }

    /** A value read when scraped (e.g. mempool size, committed height). */
    public void gauge(String name, String help, DoubleSupplier value) {
        register(new Gauge(checkName(name), help, value), Gauge.class);
    }

    /** A distribution over fixed upper bounds (seconds, bytes, ...); ascending, without +Inf. */
    public Histogram histogram(String name, String help, double... upperBounds) {
        return register(new Histogram(checkName(name), help, upperBounds), Histogram.class);
    }

    /** The registry in the Prometheus text exposition format (version 0.0.4), metrics sorted by name. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        metrics.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(m -> {
            out.append("# HELP ").append(m.name()).append(' ').append(escapeHelp(m.help())).append('\n');
            m.render(out);
        });
        return out.toString();
    }

    private <T extends Metric> T register(T metric, Class<T> type) {
        Metric existing = metrics.putIfAbsent(metric.name(), metric);
        if (existing == null) {
            return metric;
        }
        if (!type.isInstance(existing)) {
            throw new IllegalArgumentException("metric " + metric.name() + " is already registered as "
                    + existing.getClass().getSimpleName());
        }
        return type.cast(existing);
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + name);
        }
        return name;
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }

    /** Label values joined for map keys; rendered back as {@code {a="x",b="y"}}. */
    private static String labelBlock(String[] names, List<String> values) {
        if (names.length == 0) {
            return "";
        }
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(names[i]).append("=\"").append(escapeLabel(values.get(i))).append('"');
        }
        return b.append('}').toString();
    }

    public static final class Counter implements Metric {
        private final String name;
        private final String help;
        private final String[] labelNames;
        private final Map<List<String>, DoubleAdder> series = new ConcurrentHashMap<>();

        private Counter(String name, String help, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.labelNames = labelNames.clone();
            if (labelNames.length == 0) {
                series.put(List.of(), new DoubleAdder());
            }
        }

        public String name() {
            return name;
        }

        public String help() {
            return help;
        }

        public void inc(String... labelValues) {
            add(1, labelValues);
        }

        public void add(double amount, String... labelValues) {
            if (amount < 0) {
                throw new IllegalArgumentException("a counter only goes up: " + name + " += " + amount);
            }
            if (labelValues.length != labelNames.length) {
                throw new IllegalArgumentException(name + " takes labels " + Arrays.toString(labelNames));
            }
            List<String> key = List.of(labelValues);
            DoubleAdder adder = series.get(key);
            if (adder == null) {
                if (series.size() >= MAX_SERIES_PER_METRIC) {
                    String[] overflow = new String[labelNames.length];
                    Arrays.fill(overflow, OVERFLOW);
                    key = List.of(overflow);
                }
                adder = series.computeIfAbsent(key, k -> new DoubleAdder());
            }
            adder.add(amount);
        }

        public double value(String... labelValues) {
            DoubleAdder adder = series.get(List.of(labelValues));
            return adder == null ? 0 : adder.sum();
        }

        public void render(StringBuilder out) {
            out.append("# TYPE ").append(name).append(" counter\n");
            List<Map.Entry<List<String>, DoubleAdder>> entries = new ArrayList<>(series.entrySet());
            entries.sort((a, b) -> String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey())));
            for (Map.Entry<List<String>, DoubleAdder> e : entries) {
                out.append(name).append(labelBlock(labelNames, e.getKey())).append(' ')
                        .append(format(e.getValue().sum())).append('\n');
            }
        }
    }

    private record Gauge(String name, String help, DoubleSupplier value) implements Metric {
        public void render(StringBuilder out) {
            double v;
            try {
                v = value.getAsDouble();
            } catch (RuntimeException e) {
                v = Double.NaN; // a scrape must never fail because one source is closing
            }
            out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ')
                    .append(Double.isNaN(v) ? "NaN" : format(v)).append('\n');
        }
    }

    public static final class Histogram implements Metric {
        private final String name;
        private final String help;
        private final double[] upperBounds;
        private final AtomicLongArray buckets;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        private Histogram(String name, String help, double[] upperBounds) {
            if (upperBounds.length == 0) {
                throw new IllegalArgumentException(name + ": a histogram needs at least one bucket");
            }
            for (int i = 1; i < upperBounds.length; i++) {
                if (!(upperBounds[i] > upperBounds[i - 1])) {
                    throw new IllegalArgumentException(name + ": bucket bounds must ascend");
                }
            }
            this.name = name;
            this.help = help;
            this.upperBounds = upperBounds.clone();
            this.buckets = new AtomicLongArray(upperBounds.length);
        }

        public String name() {
            return name;
        }

        public String help() {
            return help;
        }

        public void observe(double value) {
            int i = Arrays.binarySearch(upperBounds, value);
            int bucket = i >= 0 ? i : -i - 1;
            if (bucket < upperBounds.length) {
                buckets.incrementAndGet(bucket);
            }
            sum.add(value);
            count.increment();
        }

        public long count() {
            return count.sum();
        }

        public void render(StringBuilder out) {
            out.append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < upperBounds.length; i++) {
                cumulative += buckets.get(i);
                out.append(name).append("_bucket{le=\"").append(format(upperBounds[i])).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
            out.append(name).append("_sum ").append(format(sum.sum())).append('\n');
            out.append(name).append("_count ").append(count.sum()).append('\n');
        }
    }
}
