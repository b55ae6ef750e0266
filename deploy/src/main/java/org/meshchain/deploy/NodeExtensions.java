package org.meshchain.deploy;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import org.meshchain.bridge.HardwareBridge;
import org.meshchain.node.port.NodeExtension;

/**
 * THE single place where the node's optional children (DESIGN 5.5: API server, hardware bridge) are
 * chosen, for both {@code meshchain node} and {@code meshchain devnet}. Each is a {@link NodeExtension}:
 * the node spawns it under its guardian with restart backoff and hands it the NodeServices port.
 * Plugging one in is one line in {@link #forValidator}, e.g.
 * {@code extensions.add(ApiServer.extension(host, apiPort, managementPort));}.
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
        // the hardware bridge (docs/DEVICES.md) when meshchain.bridge.enabled; its config is validated here, at start-up
        if (config.getBoolean("meshchain.bridge.enabled")) {
            extensions.add(HardwareBridge.fromConfig(config));
        }
        return extensions;
    }
}
