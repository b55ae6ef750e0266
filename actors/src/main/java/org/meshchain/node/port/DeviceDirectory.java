package org.meshchain.node.port;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.meshchain.core.types.Address;

/**
 * Field devices as the hardware bridge sees them (online/offline from MQTT birth and last-will), for
 * the API's {@code /v1/devices}. Provided by the bridge when it runs; the API shows an empty list
 * otherwise. Thread-safe; never blocks.
 */
public interface DeviceDirectory {

    List<DeviceStatus> devices();

    Optional<DeviceStatus> device(Address device);

    record DeviceStatus(Address device, boolean online, Optional<Instant> lastSeen, long framesAccepted,
            long framesRejected, long lastCounter) {}
}
