package org.meshchain.bridge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.meshchain.core.types.Address;
import org.meshchain.node.port.DeviceDirectory;

/**
 * The bridge's view of devices for the API's {@code /v1/devices}: online/offline from the MQTT birth
 * and last-will messages, frame counts, the last accepted counter. Only registered devices enter it,
 * and at most {@code maxDevices} of them (memory bound). Thread-safe; never blocks.
 */
public final class BridgeDeviceDirectory implements DeviceDirectory {

    private static final class Entry {
        volatile boolean online;
        volatile Instant lastSeen;
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final AtomicLong lastCounter = new AtomicLong(-1);
    }

    private final int maxDevices;
    private final ConcurrentHashMap<Address, Entry> entries = new ConcurrentHashMap<>();

    public BridgeDeviceDirectory(int maxDevices) {
        this.maxDevices = maxDevices;
    }

    private Entry entry(Address device) {
        Entry e = entries.get(device);
        if (e == null && entries.size() < maxDevices) {
            e = entries.computeIfAbsent(device, d -> new Entry());
        }
        return e;
    }

    void status(Address device, boolean online, Instant at) {
        Entry e = entry(device);
        if (e != null) {
            e.online = online;
            e.lastSeen = at;
        }
    }

    void accepted(Address device, long counter, Instant at) {
        Entry e = entry(device);
        if (e != null) {
            e.accepted.increment();
            e.lastCounter.accumulateAndGet(counter, Math::max);
            e.lastSeen = at;
        }
    }

    /** A rejected frame from a registered device (unregistered senders never enter the directory). */
    void rejected(Address device, Instant at) {
        Entry e = entry(device);
        if (e != null) {
            e.rejected.increment();
            e.lastSeen = at;
        }
    }

    public long onlineCount() {
        return entries.values().stream().filter(e -> e.online).count();
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>(entries.size());
        entries.forEach((device, e) -> out.add(snapshot(device, e)));
        out.sort(Comparator.comparing(DeviceStatus::device));
        return out;
    }

    @Override
    public Optional<DeviceStatus> device(Address device) {
        Entry e = entries.get(device);
        return e == null ? Optional.empty() : Optional.of(snapshot(device, e));
    }

    private static DeviceStatus snapshot(Address device, Entry e) {
        return new DeviceStatus(device, e.online, Optional.ofNullable(e.lastSeen), e.accepted.sum(), e.rejected.sum(),
                e.lastCounter.get());
    }
}
