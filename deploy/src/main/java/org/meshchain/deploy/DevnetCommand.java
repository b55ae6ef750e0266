package org.meshchain.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.meshchain.node.DefaultExecutors;
import org.meshchain.node.Node;
import org.meshchain.node.config.ConfigError;
import org.meshchain.node.devnet.DemoLoad;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.NodeServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshchain devnet}: validators in this JVM (one ActorSystem each, on loopback, one Pekko
 * cluster), a genesis with funded demo accounts, a small load of demo transfers, and a status line.
 * Ctrl-C stops it cleanly; running it again with the same {@code --data} resumes.
 */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = "Run a local network of validators in one JVM, with demo accounts and a small transfer load.")
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

    @Override
    void execute(PrintWriter out) throws CommandFailure {
        if (validators < 1 || validators > 16) {
            throw new CommandFailure("--validators " + validators + ": must be in 1..16");
        }
        if (accounts < 1 || accounts > 10_000) {
            throw new CommandFailure("--accounts " + accounts + ": must be in 1..10000");
        }
        Devnet devnet;
        try {
            devnet = Devnet.prepare(new Devnet.Layout(data, validators, accounts, "127.0.0.1", clusterPort), null, tls);
        } catch (IOException | RuntimeException e) {
            throw new CommandFailure("cannot prepare the devnet in " + data + ": " + e.getMessage());
        }
        try {
            devnet.startAll(DefaultExecutors.factory(), i -> extensions(devnet, i), org.meshchain.node.peers.InboundInspector.NONE);
        } catch (ConfigError e) {
            throw new CommandFailure(e.getMessage());
        } catch (RuntimeException e) {
            throw new CommandFailure("start-up failed: " + e.getMessage());
        }
        try {
            for (int i = 0; i < validators; i++) {
                NodeExtensions.afterStart(devnet.node(i), "127.0.0.1", managementPort + i).toCompletableFuture()
                        .get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            devnet.close();
            throw new CommandFailure("a management port (" + managementPort + "+i) could not be bound: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        DemoLoad demo = new DemoLoad(devnet.demoKeys(), () -> services(devnet));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            devnet.close();
            stopped.countDown();
        }, "devnet-shutdown"));
        printUrls(out, devnet);
        if (load > 0) {
            demo.start(load);
        }
        out.flush();
        statusLoop(out, devnet, demo, stopped);
    }

    private List<NodeExtension> extensions(Devnet devnet, int i) {
        return NodeExtensions.forValidator("127.0.0.1", apiPort + i, managementPort + i, devnet.config(i));
    }

    private static List<NodeServices> services(Devnet devnet) {
        List<NodeServices> list = new ArrayList<>();
        for (Node node : devnet.running()) {
            if (node.state().storageOpen()) {
                list.add(node.services());
            }
        }
        return list;
    }

    private void printUrls(PrintWriter out, Devnet devnet) {
        out.println("MeshChain devnet: " + validators + " validators, chain " + devnet.genesis().chainId() + ", data in "
                + data.toAbsolutePath());
        boolean withApi = !extensions(devnet, 0).isEmpty();
        for (int i = 0; i < validators; i++) {
            Node node = devnet.node(i);
            out.printf(Locale.ROOT, "  validator %d  %s  cluster 127.0.0.1:%d%n", i, node.validator(), clusterPort + i);
            if (withApi) {
                out.printf(Locale.ROOT, "    API         http://127.0.0.1:%d/v1/status%n", apiPort + i);
                out.printf(Locale.ROOT, "    metrics     http://127.0.0.1:%d/metrics%n", apiPort + i);
                out.printf(Locale.ROOT, "    management  http://127.0.0.1:%d/ready%n", managementPort + i);
            }
        }
        if (!withApi) {
            out.println("  (this build has no API server extension: no HTTP endpoints are served)");
        }
        out.println("  demo accounts: " + devnet.demoKeys().size() + " keystores in " + data.resolve("accounts")
                + " (passphrase '" + Devnet.PASSPHRASE + "'), load " + load + " transfers/s. Ctrl-C stops.");
    }

    private void statusLoop(PrintWriter out, Devnet devnet, DemoLoad demo, CountDownLatch stopped) {
        while (true) {
            try {
                if (stopped.await(statusIntervalMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    out.println("devnet stopped");
                    out.flush();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            StringBuilder line = new StringBuilder();
            List<Node> running = devnet.running();
            if (running.isEmpty()) {
                return;
            }
            Node first = running.get(0);
            line.append("height=");
            for (int i = 0; i < running.size(); i++) {
                line.append(i == 0 ? "" : "/").append(running.get(i).state().committedHeight());
            }
            line.append(String.format(Locale.ROOT, " round=%d tps=%.1f txs=%d mempool=%d submitted=%d rejected=%d",
                    first.state().round(), first.services().metrics() == null ? 0.0 : tps(first),
                    first.state().committedTransactions(), first.state().mempoolSize(), demo.accepted(), demo.rejected()));
            out.println(line);
            out.flush();
        }
    }

    private static double tps(Node node) {
        return node.tps();
    }
}
