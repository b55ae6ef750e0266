package org.meshchain.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.meshchain.bridge.HardwareBridge;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.deploy.devnet.DevnetDevices;
import org.meshchain.deploy.devnet.EmbeddedBroker;
import org.meshchain.node.DefaultExecutors;
import org.meshchain.node.Node;
import org.meshchain.node.devnet.DemoLoad;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.DeviceDirectory;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.NodeServices;

/**
 * A running devnet (ADR 0045): the embedded MQTT broker, the validators (validator 0 runs the hardware
 * bridge against that broker), their management ports, the demo transfer load and the simulated device
 * fleet. Started in that order; {@link #close} stops them in reverse, so the broker goes last (the
 * devices' and the bridge's sessions end cleanly) and its port is free when {@code close} returns.
 * {@code meshchain devnet} is a thin command over this; tests start it directly.
 */
final class DevnetSession implements AutoCloseable {

    /** Validator that runs the bridge (one bridge per devnet: ADR 0045). */
    static final int BRIDGE_VALIDATOR = 0;

    /**
     * @param devices          simulated devices; 0 runs the broker and the bridge without a fleet
     * @param brokerHost       address the broker listens on (loopback unless a real device must reach it)
     * @param brokerPort       0 picks a free port (tests)
     * @param otherDevices     device keys (e.g. real ESP32s) to register and fund besides the simulated fleet
     */
    record Options(Path data, int validators, int accounts, String host, int clusterPort, int apiPort, int managementPort,
            boolean tls, int load, String brokerHost, int brokerPort, int devices, long deviceIntervalMs,
            List<Ed25519PublicKey> otherDevices) {
        Options {
            otherDevices = List.copyOf(otherDevices);
        }

        /** Demo account 0 owns the devices (and is left out of the demo load) when there are any. */
        boolean withDeviceOwner() {
            return devices > 0 || !otherDevices.isEmpty();
        }
    }

    private final Options options;
    private EmbeddedBroker broker;
    private Devnet devnet;
    private HardwareBridge bridge;
    private DemoLoad demo;
    private DevnetDevices devices;
    private boolean closed;

    private DevnetSession(Options options) {
        this.options = options;
    }

    /** Starts everything; if a step fails, what was started is stopped again and the error thrown. */
    static DevnetSession start(Options options, PrintWriter log) throws CliSubcommand.CommandFailure {
        if (options.withDeviceOwner() && options.accounts() < 2) {
            throw new CliSubcommand.CommandFailure("--accounts " + options.accounts()
                    + ": must be at least 2 with devices (demo account 0 owns and funds the devices)");
        }
        DevnetSession session = new DevnetSession(options);
        try {
            session.startAll(log);
            return session;
        } catch (CliSubcommand.CommandFailure e) {
            session.close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.close();
            throw new CliSubcommand.CommandFailure("interrupted during start-up");
        } catch (RuntimeException e) {
            session.close();
            throw new CliSubcommand.CommandFailure("start-up failed: " + e.getMessage());
        }
    }

    private void startAll(PrintWriter log) throws CliSubcommand.CommandFailure, InterruptedException {
        Path data = options.data();
        try {
            broker = EmbeddedBroker.start(options.brokerHost(), options.brokerPort(), data.resolve("broker"));
        } catch (IOException | IllegalArgumentException e) {
            throw new CliSubcommand.CommandFailure(e.getMessage() + " (--broker-port chooses another port)");
        }
        String bridgeConfig = "meshchain.bridge {\n  enabled = on\n  broker-url = \"" + broker.url() + "\"\n"
                + "  client-id = \"meshchain-devnet-bridge\"\n}";
        try {
            devnet = Devnet.prepare(new Devnet.Layout(data, options.validators(), options.accounts(), options.host(),
                    options.clusterPort()), i -> i == BRIDGE_VALIDATOR ? bridgeConfig : null, options.tls());
        } catch (IOException | RuntimeException e) {
            throw new CliSubcommand.CommandFailure("cannot prepare the devnet in " + data + ": " + e.getMessage());
        }
        try {
            devnet.startAll(DefaultExecutors.factory(), this::extensions, InboundInspector.NONE);
        } catch (org.meshchain.node.config.ConfigError e) {
            throw new CliSubcommand.CommandFailure(e.getMessage());
        }
        for (int i = 0; i < options.validators(); i++) {
            try {
                NodeExtensions.afterStart(devnet.node(i), options.host(), options.managementPort() + i).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new CliSubcommand.CommandFailure("management port " + (options.managementPort() + i)
                        + " could not be bound: " + e.getMessage());
            }
        }
        List<Ed25519PrivateKey> loadAccounts = options.withDeviceOwner()
                ? devnet.demoKeys().subList(1, devnet.demoKeys().size()) : devnet.demoKeys();
        demo = new DemoLoad(loadAccounts, this::services);
        if (options.load() > 0) {
            demo.start(options.load());
        }
        if (!options.otherDevices().isEmpty()) {
            log.println("registering " + options.otherDevices().size() + " device key(s) from --register-device (owner: demo account 0)...");
            log.flush();
            try {
                DevnetDevices.registerAll(devnet.node(BRIDGE_VALIDATOR).services(), devnet.demoKeys().get(0),
                        options.otherDevices(), 60_000);
            } catch (IOException e) {
                throw new CliSubcommand.CommandFailure("--register-device: " + e.getMessage());
            }
            for (Ed25519PublicKey key : options.otherDevices()) {
                log.println("  device " + org.meshchain.core.types.Address.of(key).toHex() + " registered (key " + key.toHex() + ")");
            }
        }
        if (options.devices() > 0) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!bridge.connected()) {
                if (System.nanoTime() > deadline) {
                    throw new CliSubcommand.CommandFailure("the bridge did not connect to " + broker.url() + " within 60 s");
                }
                Thread.sleep(50);
            }
            log.println("registering " + options.devices() + " simulated devices (owner: demo account 0)...");
            log.flush();
            try {
                devices = DevnetDevices.start(devnet.node(BRIDGE_VALIDATOR).services(), devnet.demoKeys().get(0),
                        devnet.validatorKeys().stream().map(Ed25519PrivateKey::publicKey).toList(), broker.url(),
                        data.resolve("devices"), options.devices(), options.deviceIntervalMs(), log);
            } catch (IOException | IllegalArgumentException e) {
                throw new CliSubcommand.CommandFailure("the device fleet did not start: " + e.getMessage());
            }
        }
    }

    private List<NodeExtension> extensions(int i) {
        List<NodeExtension> list = NodeExtensions.forValidator(options.host(), options.apiPort() + i,
                options.managementPort() + i, devnet.config(i));
        if (i == BRIDGE_VALIDATOR) {
            bridge = list.stream().filter(HardwareBridge.class::isInstance).map(HardwareBridge.class::cast).findFirst()
                    .orElseThrow(() -> new IllegalStateException("validator " + i + " has no bridge extension"));
        }
        return list;
    }

    List<NodeServices> services() {
        List<NodeServices> list = new ArrayList<>();
        for (Node node : devnet.running()) {
            if (node.state().storageOpen()) {
                list.add(node.services());
            }
        }
        return list;
    }

    Devnet devnet() {
        return devnet;
    }

    EmbeddedBroker broker() {
        return broker;
    }

    HardwareBridge bridge() {
        return bridge;
    }

    DemoLoad demo() {
        return demo;
    }

    Optional<DevnetDevices> devices() {
        return Optional.ofNullable(devices);
    }

    Options options() {
        return options;
    }

    /** Frames accepted and rejected by the bridge and devices online, from the bridge's directory. */
    record DeviceCounts(long accepted, long rejected, long online, long known) {}

    DeviceCounts deviceCounts() {
        long accepted = 0;
        long rejected = 0;
        long online = 0;
        List<DeviceDirectory.DeviceStatus> list = bridge == null ? List.of() : bridge.directory().devices();
        for (DeviceDirectory.DeviceStatus d : list) {
            accepted += d.framesAccepted();
            rejected += d.framesRejected();
            online += d.online() ? 1 : 0;
        }
        return new DeviceCounts(accepted, rejected, online, list.size());
    }

    /** Devices, demo load, validators, then the broker; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (devices != null) {
            devices.close();
        }
        if (demo != null) {
            demo.close();
        }
        if (devnet != null) {
            devnet.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
