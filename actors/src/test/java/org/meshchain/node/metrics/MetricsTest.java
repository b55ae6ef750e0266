package org.meshchain.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void rendersCountersGaugesAndHistogramsInPrometheusText() {
        Metrics metrics = new Metrics();
        Metrics.Counter rejected = metrics.counter("bridge_frames_rejected_total", "Frames refused", "reason");
        rejected.inc("bad_signature");
        rejected.inc("bad_signature");
        rejected.add(3, "replay");
        metrics.gauge("mempool_size", "Transactions waiting", () -> 42);
        Metrics.Histogram latency = metrics.histogram("commit_latency_seconds", "Commit latency", 0.1, 0.5, 1);
        latency.observe(0.05);
        latency.observe(0.5);
        latency.observe(7);

        assertThat(metrics.render()).isEqualTo("""
                # HELP bridge_frames_rejected_total Frames refused
                # TYPE bridge_frames_rejected_total counter
                bridge_frames_rejected_total{reason="bad_signature"} 2
                bridge_frames_rejected_total{reason="replay"} 3
                # HELP commit_latency_seconds Commit latency
                # TYPE commit_latency_seconds histogram
                commit_latency_seconds_bucket{le="0.1"} 1
                commit_latency_seconds_bucket{le="0.5"} 2
                commit_latency_seconds_bucket{le="1"} 2
                commit_latency_seconds_bucket{le="+Inf"} 3
                commit_latency_seconds_sum 7.55
                commit_latency_seconds_count 3
                # HELP mempool_size Transactions waiting
                # TYPE mempool_size gauge
                mempool_size 42
                """);
    }

    @Test
    void boundsLabelCardinalitySoInputsCannotGrowMemory() {
        Metrics metrics = new Metrics();
        Metrics.Counter perDevice = metrics.counter("frames_total", "Frames", "device");
        for (int i = 0; i < Metrics.MAX_SERIES_PER_METRIC + 100; i++) {
            perDevice.inc("device-" + i);
        }
        long series = metrics.render().lines().filter(l -> l.startsWith("frames_total{")).count();
        assertThat(series).isEqualTo(Metrics.MAX_SERIES_PER_METRIC + 1);
        assertThat(perDevice.value("overflow")).isEqualTo(100);
    }

    @Test
    void escapesLabelValuesAndRejectsMisuse() {
        Metrics metrics = new Metrics();
        metrics.counter("requests_total", "Requests", "route").inc("/v1/\"x\"\n");
        assertThat(metrics.render()).contains("requests_total{route=\"/v1/\\\"x\\\"\\n\"} 1");
        assertThatThrownBy(() -> metrics.gauge("requests_total", "again", () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
        assertThatThrownBy(() -> metrics.counter("bad name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("c_total", "x").add(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.histogram("h", "x", 2, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameNameAndTypeReturnsTheRegisteredMetric() {
        Metrics metrics = new Metrics();
        metrics.counter("a_total", "A").inc();
        metrics.counter("a_total", "A").inc();
        assertThat(metrics.counter("a_total", "A").value()).isEqualTo(2);
    }
}
