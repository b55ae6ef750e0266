package org.meshchain.node.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.NodeStatus;

/**
 * Readiness for {@code /ready} (DESIGN 8: storage open, consensus running, not far behind). Not
 * ready before the node registered through {@link NodeManagement#start}, while its storage is
 * closed, while it is bulk-syncing (the node's own signal that it is far behind), or — when
 * {@code max-head-age} is set — when its newest certified block is older than that.
 * Instantiated by Pekko Management from configuration, with the actor system.
 */
public final class NodeReadinessCheck implements Supplier<CompletionStage<Boolean>> {

    private final NodeManagement registry;

    public NodeReadinessCheck(ActorSystem system) {
        this.registry = NodeManagement.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(ready());
    }

    boolean ready() {
        NodeServices services = registry.services();
        if (services == null) {
            return false;
        }
        NodeStatus status;
        try {
            status = services.status();
        } catch (RuntimeException e) {
            return false;
        }
        if (!status.storageOpen() || status.syncing()) {
            return false;
        }
        long maxAgeMillis = registry.config().maxHeadAge().toMillis();
        if (maxAgeMillis > 0) {
            CertifiedHeader head = services.latestCertifiedHeader().orElse(null);
            return head != null && System.currentTimeMillis() - head.header().timestampMs() <= maxAgeMillis;
        }
        return true;
    }
}
