package org.meshchain.bridge;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.meshchain.node.metrics.Metrics;

/**
 * What outlives one incarnation of the bridge actor (it is restarted with backoff on failure): the
 * device directory the API reads, and the metrics registered once in the node's registry.
 */
public final class BridgeShared {

    final BridgeDeviceDirectory directory;
    final AtomicBoolean connected = new AtomicBoolean();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger publishesInFlight = new AtomicInteger();
    final Metrics.Counter accepted;
    final Metrics.Counter rejected;
    final Metrics.Counter publishDropped;
    final Metrics.Counter disconnects;
    final Metrics.Counter busyResubmits;
    final Metrics.Histogram commitLatency;

    BridgeShared(BridgeDeviceDirectory directory, Metrics metrics) {
        this.directory = directory;
        this.accepted = metrics.counter("meshchain_bridge_frames_accepted_total",
                "Device frames that passed every check (transactions admitted, proofs served)");
        this.rejected = metrics.counter("meshchain_bridge_frames_rejected_total",
                "Device frames rejected, by reason (the reply code sent to the device)", "reason");
        this.publishDropped = metrics.counter("meshchain_bridge_publish_dropped_total",
                "Replies, proofs and headers not sent because the broker was unreachable or the bridge at its bound");
        this.disconnects = metrics.counter("meshchain_bridge_broker_disconnects_total", "Times the broker connection was lost");
        this.busyResubmits = metrics.counter("meshchain_bridge_frames_busy_resubmits_total",
                "Submissions offered again because the node was at its submission limit (ADR 0070)");
        this.commitLatency = metrics.histogram("meshchain_bridge_frame_commit_seconds",
                "From a device frame's arrival at the bridge to the commit of its transaction",
                0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30);
        metrics.gauge("meshchain_bridge_connected", "1 while the bridge is connected to the MQTT broker",
                () -> connected.get() ? 1 : 0);
        metrics.gauge("meshchain_bridge_devices_online", "Registered devices whose last status message was online",
                directory::onlineCount);
        metrics.gauge("meshchain_bridge_frames_in_flight", "Frames received and not yet answered", inFlight::get);
    }

    public BridgeDeviceDirectory directory() {
        return directory;
    }

    public boolean connected() {
        return connected.get();
    }
}
