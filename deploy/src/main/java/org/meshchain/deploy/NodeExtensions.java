package org.meshchain.deploy;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.meshchain.bridge.HardwareBridge;
import org.meshchain.node.Node;
import org.meshchain.node.api.ApiConfig;
import org.meshchain.node.api.ApiServer;
import org.meshchain.node.api.ManagementConfig;
import org.meshchain.node.api.NodeManagement;
import org.meshchain.node.port.NodeExtension;

/**
 * THE single place where the node's optional parts (DESIGN 5.5: API server, hardware bridge,
 * management port) are chosen, for both {@code meshchain node} and {@code meshchain devnet}. Children
 * are {@link NodeExtension}s: the node spawns each under its guardian with restart backoff and hands it
 * the NodeServices port. Adding one (e.g. the hardware bridge) is one line in {@link #forValidator}.
 */
final class NodeExtensions {

    private NodeExtensions() {}

    /**
     * @param host           interface the HTTP servers bind to
     * @param apiPort        public API and /metrics
     * @param managementPort Pekko Management (/ready, /alive, /cluster/members)
     * @param config         the whole configuration (extensions read their own sections)
     */
    static List<NodeExtension> forValidator(String host, int apiPort, int managementPort, Config config) {
        List<NodeExtension> extensions = new ArrayList<>();
        // the hardware bridge (docs/DEVICES.md) when meshchain.bridge.enabled (its config is validated here, at
        // start-up); the API serves its device directory at /v1/devices
        Optional<HardwareBridge> bridge = config.hasPath("meshchain.bridge.enabled") && config.getBoolean("meshchain.bridge.enabled")
                ? Optional.of(HardwareBridge.fromConfig(config)) : Optional.empty();
        extensions.add(ApiServer.extension(ApiConfig.defaults(host, apiPort), bridge.map(HardwareBridge::directory)));
        bridge.ifPresent(extensions::add);
        return extensions;
    }

    /**
     * After the node started: Pekko Management (health checks and cluster members) on its own port, on
     * the node's ActorSystem (so it unbinds when the node stops).
     */
    static CompletionStage<ServerBinding> afterStart(Node node, String host, int managementPort) {
        return NodeManagement.start(node.system(), node.services(), new ManagementConfig(host, managementPort, Duration.ZERO));
    }
}
