package org.meshchain.bridge;

import com.typesafe.config.Config;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.Behavior;
import org.meshchain.node.port.DeviceDirectory;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.NodeServices;

/**
 * The hardware bridge as a node extension (DESIGN 2 and 5.5): the node spawns {@link #behavior} under
 * its guardian (restarting it with backoff on failure) and hands {@link #directory()} to the API for
 * {@code /v1/devices}. The node never imports this module; deploy/ wires it:
 * <pre>{@code
 * HardwareBridge bridge = HardwareBridge.fromConfig(config);   // validates meshchain.bridge
 * // extensions = List.of(bridge); api's device directory = bridge.directory()
 * }</pre>
 */
public final class HardwareBridge implements NodeExtension {

    public static final String NAME = "hardware-bridge";

    private final BridgeConfig config;
    private final AtomicReference<BridgeShared> shared = new AtomicReference<>();
    private final DirectoryView directory = new DirectoryView();

    public HardwareBridge(BridgeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Validates {@code meshchain.bridge} in {@code root} (throws naming key, value and rule). */
    public static HardwareBridge fromConfig(Config root) {
        return new HardwareBridge(BridgeConfig.from(root));
    }

    public BridgeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Behavior<HardwareBridgeActor.Command> behavior(NodeServices services) {
        BridgeShared state = shared.updateAndGet(existing -> existing != null ? existing
                : new BridgeShared(new BridgeDeviceDirectory(config.maxDevices()), services.metrics()));
        return HardwareBridgeActor.create(config, services, state);
    }

    /** Device status for the API; empty until the bridge has started. */
    public DeviceDirectory directory() {
        return directory;
    }

    /** Whether the bridge currently holds a broker connection (for status lines and tests). */
    public boolean connected() {
        BridgeShared s = shared.get();
        return s != null && s.connected();
    }

    private final class DirectoryView implements DeviceDirectory {
        @Override
        public java.util.List<DeviceStatus> devices() {
            BridgeShared s = shared.get();
            return s == null ? java.util.List.of() : s.directory().devices();
        }

        @Override
        public java.util.Optional<DeviceStatus> device(org.meshchain.core.types.Address device) {
            BridgeShared s = shared.get();
            return s == null ? java.util.Optional.empty() : s.directory().device(device);
        }
    }
}
