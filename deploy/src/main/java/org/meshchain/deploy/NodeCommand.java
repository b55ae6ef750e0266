package org.meshchain.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.meshchain.node.DefaultExecutors;
import org.meshchain.node.Node;
import org.meshchain.node.NodeOptions;
import org.meshchain.node.config.ConfigError;
import org.meshchain.node.genesis.Genesis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshchain node --config FILE}: runs one validator until SIGTERM/SIGINT (CoordinatedShutdown:
 * the store is closed last) or until it stops itself (storage failure: exit code 1 and the reason).
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run a validator.")
public final class NodeCommand extends CliSubcommand {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "HOCON file with a meshchain.node section.")
    Path configFile;

    @Option(names = "--api-port", description = "Public API port (default 8080).")
    int apiPort = 8080;

    @Option(names = "--management-port", description = "Pekko Management port (default 7626).")
    int managementPort = 7626;

    @Option(names = "--status-interval", description = "Seconds between status lines on stdout (default 10).")
    int statusIntervalSeconds = 10;

    @Override
    void execute(PrintWriter out) throws CommandFailure {
        if (!Files.isRegularFile(configFile)) {
            throw new CommandFailure("config file " + configFile + " does not exist");
        }
        Config config;
        try {
            config = ConfigFactory.parseFile(configFile.toFile()).withFallback(ConfigFactory.defaultReference()).resolve();
        } catch (ConfigException e) {
            throw new CommandFailure("config file " + configFile + ": " + e.getMessage());
        }
        Node node;
        try {
            String host = config.getString("meshchain.node.cluster.host");
            node = Node.start(config, NodeOptions.of(DefaultExecutors.factory())
                    .withExtensions(NodeExtensions.forValidator(host, apiPort, managementPort, config)));
        } catch (ConfigError | Genesis.GenesisException e) {
            throw new CommandFailure(e.getMessage());
        } catch (RuntimeException e) {
            throw new CommandFailure("start-up failed: " + e.getMessage());
        }
        String host = config.getString("meshchain.node.cluster.host");
        try {
            NodeExtensions.afterStart(node, host, managementPort).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            node.stop();
            throw new CommandFailure("management port " + host + ":" + managementPort + " could not be bound: " + e.getMessage());
        }
        out.println("validator " + node.validator() + " running: API http://" + host + ":" + apiPort + "/v1/status, metrics http://"
                + host + ":" + apiPort + "/metrics, management http://" + host + ":" + managementPort
                + "/ready (Ctrl-C or SIGTERM stops it)");
        out.flush();
        try {
            while (true) {
                try {
                    node.whenTerminated().toCompletableFuture().get(statusIntervalSeconds, java.util.concurrent.TimeUnit.SECONDS);
                    break;
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    out.printf(java.util.Locale.ROOT, "height=%d round=%d tps=%.1f mempool=%d peers=%d/%d%n",
                            node.state().committedHeight(), node.state().round(), node.tps(), node.state().mempoolSize(),
                            node.services().peers().stream().filter(p -> p.connected()).count(),
                            node.services().peers().size());
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new CommandFailure("the node failed: " + e.getCause());
        }
        if (node.failure().isPresent()) {
            throw new CommandFailure("the node stopped itself: " + node.failure().get());
        }
    }
}
