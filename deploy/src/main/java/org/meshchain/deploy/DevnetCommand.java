package org.meshchain.deploy;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.node.Node;
import org.meshchain.node.devnet.DemoLoad;
import org.meshchain.node.devnet.Devnet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshchain devnet}: validators in this JVM (one ActorSystem each, on loopback, one Pekko
 * cluster), a genesis with funded demo accounts, a small load of demo transfers, an embedded MQTT
 * broker with the hardware bridge on validator 0 and a small fleet of simulated devices (ADR 0045),
 * and a status line.
 * Ctrl-C stops it cleanly; running it again with the same {@code --data} resumes.
 */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = "Run a local network of validators in one JVM, with demo accounts, a small transfer load, "
                + "an embedded MQTT broker, the hardware bridge and simulated devices.")
public final class DevnetCommand extends CliSubcommand {

    @Option(names = "--validators", description = "Number of validators (default 4).")
    int validators = 4;

    @Option(names = "--data", paramLabel = "DIR", description = "Devnet directory (default ./devnet); reused if present.")
    Path data = Path.of("devnet");

    @Option(names = "--cluster-port", description = "Artery port of validator 0; validator i uses this + i (default 25520).")
    int clusterPort = 25520;

    @Option(names = "--api-port", description = "API port of validator 0; validator i uses this + i (default 8080).")
    int apiPort = 8080;

    @Option(names = "--management-port", description = "Management port of validator 0; validator i uses this + i (default 7626).")
    int managementPort = 7626;

    @Option(names = "--accounts", description = "Funded demo accounts (default 8).")
    int accounts = 8;

    @Option(names = "--load", description = "Demo transfers per second in total; 0 for none (default 20).")
    int load = 20;

    @Option(names = "--tls", description = "Validators talk over mutual TLS (certificates generated in DIR/tls on first use).")
    boolean tls;

    @Option(names = "--status-interval-ms", description = "How often the status line is printed (default 2000).")
    long statusIntervalMs = 2000;

    @Option(names = "--broker-port", description = "Port of the embedded MQTT broker (default 1883).")
    int brokerPort = 1883;

    @Option(names = "--broker-host", description = "IP address the embedded broker listens on (default 127.0.0.1; "
            + "a LAN address or 0.0.0.0 lets a real device connect: anonymous and unencrypted, a trusted network only).")
    String brokerHost = "127.0.0.1";

    @Option(names = "--register-device", paramLabel = "PUBKEY", split = ",",
            description = "Ed25519 public key (hex) of a real device to fund and register at start (repeatable).")
    List<String> registerDevices = new ArrayList<>();

    @Option(names = "--devices", description = "Simulated field devices (micronodes) on the broker (default 5).")
    int devices = 5;

    @Option(names = "--no-devices", description = "Run the broker and the bridge without simulated devices.")
    boolean noDevices;

    @Option(names = "--device-interval-ms", description = "Time between two frames of one device (default 2000).")
    long deviceIntervalMs = 2000;

    @Override
    void execute(PrintWriter out) throws CommandFailure {
        if (validators < 1 || validators > 16) {
            throw new CommandFailure("--validators " + validators + ": must be in 1..16");
        }
        if (accounts < 1 || accounts > 10_000) {
            throw new CommandFailure("--accounts " + accounts + ": must be in 1..10000");
        }
        if (brokerPort < 1 || brokerPort > 65_535) {
            throw new CommandFailure("--broker-port " + brokerPort + ": must be in 1..65535");
        }
        if (!noDevices && (devices < 1 || devices > 1_000)) {
            throw new CommandFailure("--devices " + devices + ": must be in 1..1000 (or --no-devices)");
        }
        if ((!noDevices || !registerDevices.isEmpty()) && accounts < 2) {
            throw new CommandFailure("--accounts " + accounts
                    + ": must be at least 2 with devices (demo account 0 owns and funds the devices; or --no-devices)");
        }
        if (deviceIntervalMs < 100) {
            throw new CommandFailure("--device-interval-ms " + deviceIntervalMs + ": must be at least 100");
        }
        List<Ed25519PublicKey> otherDevices = new ArrayList<>();
        for (String hex : registerDevices) {
            try {
                otherDevices.add(Ed25519PublicKey.fromHex(hex.trim()));
            } catch (RuntimeException e) {
                throw new CommandFailure("--register-device '" + hex + "': not a 32-byte hex Ed25519 public key");
            }
        }
        DevnetSession.Options options = new DevnetSession.Options(data, validators, accounts, "127.0.0.1", clusterPort,
                apiPort, managementPort, tls, load, brokerHost, brokerPort, noDevices ? 0 : devices, deviceIntervalMs,
                otherDevices);
        // Ctrl-C (SIGINT) and SIGTERM stop the devnet from this thread, which then returns normally: exit code 0.
        // During start-up they interrupt it (start-up rolls back); a second signal exits at once.
        CountDownLatch stopRequested = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean starting = new java.util.concurrent.atomic.AtomicBoolean(true);
        sun.misc.SignalHandler onSignal = signal -> {
            if (stopRequested.getCount() == 0) {
                Runtime.getRuntime().exit(128 + signal.getNumber());
            }
            stopRequested.countDown();
            if (starting.get()) {
                main.interrupt();
            }
        };
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), onSignal);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), onSignal);
        DevnetSession session;
        try {
            session = DevnetSession.start(options, out);
        } catch (CommandFailure e) {
            if (stopRequested.getCount() == 0) {
                // the operator stopped it: what had started is stopped again, and that is a clean exit
                out.println("devnet start-up interrupted; everything started is stopped");
                out.flush();
                return;
            }
            throw e;
        } finally {
            starting.set(false);
            Thread.interrupted(); // a signal that arrived as start-up ended must not interrupt the status loop
        }
        // any other way the JVM ends (e.g. SIGHUP) still stops the nodes and the broker
        Thread safetyNet = new Thread(session::close, "devnet-shutdown");
        Runtime.getRuntime().addShutdownHook(safetyNet);
        try {
            if (stopRequested.getCount() == 0) {
                return;
            }
            printUrls(out, session);
            out.flush();
            statusLoop(out, session, stopRequested);
        } finally {
            out.println("stopping the devnet...");
            out.flush();
            session.close();
            out.println("devnet stopped");
            out.flush();
        }
    }

    private void printUrls(PrintWriter out, DevnetSession session) {
        Devnet devnet = session.devnet();
        out.println("MeshChain devnet: " + validators + " validators, chain " + devnet.genesis().chainId() + ", data in "
                + data.toAbsolutePath());
        for (int i = 0; i < validators; i++) {
            Node node = devnet.node(i);
            out.printf(Locale.ROOT, "  validator %d  %s  cluster 127.0.0.1:%d%s%n", i, node.validator(), clusterPort + i,
                    i == DevnetSession.BRIDGE_VALIDATOR ? "  (runs the hardware bridge)" : "");
            out.printf(Locale.ROOT, "    API         http://127.0.0.1:%d/v1/status%n", apiPort + i);
            out.printf(Locale.ROOT, "    metrics     http://127.0.0.1:%d/metrics%n", apiPort + i);
            out.printf(Locale.ROOT, "    management  http://127.0.0.1:%d/ready%n", managementPort + i);
        }
        out.printf(Locale.ROOT, "  MQTT broker   %s (embedded, MQTT 3.1.1; topics meshchain/%s/...)%n",
                "tcp://" + brokerHost + ":" + session.broker().port(), devnet.genesis().chainId().value());
        if (!session.broker().loopbackOnly()) {
            out.println("    WARNING: the broker listens on " + brokerHost + " without authentication or TLS (devnet only)");
        }
        out.printf(Locale.ROOT, "  devices       http://127.0.0.1:%d/v1/devices%n", apiPort + DevnetSession.BRIDGE_VALIDATOR);
        int accountsUnderLoad = session.options().withDeviceOwner() ? devnet.demoKeys().size() - 1 : devnet.demoKeys().size();
        out.println("  demo accounts: " + devnet.demoKeys().size() + " keystores in " + data.resolve("accounts")
                + " (passphrase '" + Devnet.PASSPHRASE + "'), load " + load + " transfers/s over " + accountsUnderLoad + " of them.");
        session.devices().ifPresentOrElse(
                d -> out.println("  simulated devices: " + d.running() + " (owner demo-0, flash in " + data.resolve("devices")
                        + "), one frame each every " + deviceIntervalMs + " ms. Ctrl-C stops."),
                () -> out.println("  no simulated devices (--no-devices). Ctrl-C stops."));
    }

    private void statusLoop(PrintWriter out, DevnetSession session, CountDownLatch stopped) {
        while (true) {
            try {
                if (stopped.await(statusIntervalMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            StringBuilder line = new StringBuilder();
            List<Node> running = session.devnet().running();
            if (running.isEmpty()) {
                return;
            }
            Node first = running.get(0);
            line.append("height=");
            for (int i = 0; i < running.size(); i++) {
                line.append(i == 0 ? "" : "/").append(running.get(i).state().committedHeight());
            }
            DemoLoad demo = session.demo();
            line.append(String.format(Locale.ROOT, " round=%d tps=%.1f txs=%d mempool=%d submitted=%d rejected=%d",
                    first.state().round(), first.services().metrics() == null ? 0.0 : tps(first),
                    first.state().committedTransactions(), first.state().mempoolSize(), demo.accepted(), demo.rejected()));
            DevnetSession.DeviceCounts devices = session.deviceCounts();
            line.append(String.format(Locale.ROOT, " | devices online=%d/%d frames accepted=%d rejected=%d",
                    devices.online(), devices.known(), devices.accepted(), devices.rejected()));
            session.devices().ifPresent(d -> line.append(" committed=")
                    .append(d.replies().getOrDefault(org.meshchain.bridge.protocol.ReplyCode.COMMITTED, 0L)));
            out.println(line);
            out.flush();
        }
    }

    private static double tps(Node node) {
        return node.tps();
    }
}
