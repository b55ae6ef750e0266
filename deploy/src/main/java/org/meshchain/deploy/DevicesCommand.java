package org.meshchain.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.meshchain.bridge.micronode.DeviceFleet;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.types.Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshchain devices}: the field-device side (docs/DEVICES.md). {@code simulate} runs a fleet of
 * simulated micronodes against any MQTT broker; {@code keys} prints the fleet's device keys so an owner
 * can register them ({@code RegisterDevice}) and fund them first.
 */
@Command(
        name = "devices",
        mixinStandardHelpOptions = true,
        description = "Simulated ESP32 micronodes (the MQTT device protocol of docs/DEVICES.md).",
        subcommands = {DevicesCommand.Simulate.class, DevicesCommand.Keys.class})
public final class DevicesCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void checkCount(int count) throws CliSubcommand.CommandFailure {
        if (count < 1 || count > 100_000) {
            throw new CliSubcommand.CommandFailure("--count " + count + ": must be in 1..100000");
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = "Print the public key and address of each device of a fleet seed (to register them).")
    static final class Keys extends CliSubcommand {
        @Option(names = "--count", required = true, description = "Number of devices.")
        int count;

        @Option(names = "--seed", defaultValue = "meshchain-devnet-fleet", description = "Fleet seed (default: ${DEFAULT-VALUE}).")
        String seed;

        @Override
        void execute(PrintWriter out) throws CommandFailure {
            checkCount(count);
            for (int i = 0; i < count; i++) {
                Ed25519PrivateKey key = DeviceFleet.deviceKey(seed, i);
                out.println(i + " " + key.publicKey().toHex() + " " + Address.of(key.publicKey()).toHex());
            }
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = "Run N simulated micronodes against a broker: each verifies headers and its account proof, "
                    + "then sends a report or transfer every interval. Prints a summary line every second.")
    static final class Simulate extends CliSubcommand {
        @Option(names = "--count", required = true, description = "Number of devices.")
        int count;

        @Option(names = "--broker", required = true, description = "Broker URL, tcp://host:port.")
        String broker;

        @Option(names = "--chain", required = true, description = "Chain id.")
        String chain;

        @Option(names = "--validators", required = true, split = ",",
                description = "Validator public keys (hex, comma-separated): the set the devices trust.")
        List<String> validators;

        @Option(names = "--seed", defaultValue = "meshchain-devnet-fleet", description = "Fleet seed (default: ${DEFAULT-VALUE}).")
        String seed;

        @Option(names = "--data-dir", description = "Where the devices keep their flash (default: a temp directory).")
        Path dataDir;

        @Option(names = "--interval-ms", defaultValue = "1000", description = "Time between a device's frames (default: ${DEFAULT-VALUE}).")
        long intervalMs;

        @Option(names = "--duration-s", defaultValue = "0", description = "Stop after this many seconds (0: until interrupted).")
        long durationSeconds;

        @Override
        void execute(PrintWriter out) throws CommandFailure {
            checkCount(count);
            if (intervalMs < 1) {
                throw new CommandFailure("--interval-ms " + intervalMs + ": must be at least 1");
            }
            if (durationSeconds < 0) {
                throw new CommandFailure("--duration-s " + durationSeconds + ": must not be negative");
            }
            List<Ed25519PublicKey> keys = new ArrayList<>();
            for (String hex : validators) {
                try {
                    keys.add(Ed25519PublicKey.fromHex(hex.trim()));
                } catch (RuntimeException e) {
                    throw new CommandFailure("--validators: '" + hex + "' is not a 32-byte hex public key");
                }
            }
            Path data;
            try {
                data = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("meshchain-devices");
            } catch (IOException e) {
                throw new CommandFailure("--data-dir: " + e.getMessage());
            }
            DeviceFleet fleet;
            try {
                fleet = DeviceFleet.start(count, seed, chain, broker, data, keys, intervalMs, out);
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(e.getMessage());
            }
            try (fleet) {
                out.println("devices: " + fleet.devices().size() + " started, " + fleet.startFailures() + " failed; flash in " + data);
                if (fleet.devices().isEmpty()) {
                    throw new CommandFailure("no device could start (is the broker at " + broker + " up?)");
                }
                out.println("devices: " + fleet.syncAccounts(out) + " accounts verified by proof");
                out.flush();
                long end = durationSeconds == 0 ? Long.MAX_VALUE : System.nanoTime() + durationSeconds * 1_000_000_000L;
                long round = 0;
                long nextSummary = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < end) {
                    fleet.sendRound(round++);
                    long sleepUntil = System.nanoTime() + intervalMs * 1_000_000L;
                    while (System.nanoTime() < Math.min(sleepUntil, end)) {
                        if (System.nanoTime() >= nextSummary) {
                            out.println(fleet.summary());
                            out.flush();
                            nextSummary += 1_000_000_000L;
                        }
                        Thread.sleep(Math.max(1, Math.min(50, (sleepUntil - System.nanoTime()) / 1_000_000)));
                    }
                }
                Thread.sleep(Math.min(3000, intervalMs * 2)); // let the last commits arrive
                out.println("final: " + fleet.summary());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.println("interrupted: " + fleet.summary());
            }
        }
    }
}
