package org.meshchain.node.api;

import java.util.Optional;
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

    /** Completes with true when ready; fails with the reason otherwise (Pekko Management shows it on /ready). */
    @Override
    public CompletionStage<Boolean> get() {
        Optional<String> reason = notReadyReason();
        return reason.isEmpty() ? CompletableFuture.completedFuture(true)
                : CompletableFuture.failedFuture(new IllegalStateException("meshchain node not ready: " + reason.get()));
    }

    boolean ready() {
        return notReadyReason().isEmpty();
    }

    Optional<String> notReadyReason() {
        NodeServices services = registry.services();
        if (services == null) {
            return Optional.of("the node has not started management yet");
        }
        NodeStatus status;
        try {
            status = services.status();
        } catch (RuntimeException e) {
            return Optional.of("status unavailable: " + e.getMessage());
        }
        if (!status.storageOpen()) {
            return Optional.of("storage is closed");
        }
        if (status.syncing()) {
            return Optional.of("syncing (far behind), committed height " + status.committedHeight());
        }
        long maxAgeMillis = registry.config().maxHeadAge().toMillis();
        if (maxAgeMillis > 0) {
            CertifiedHeader head = services.latestCertifiedHeader().orElse(null);
            if (head == null) {
                return Optional.of("no certified block yet");
            }
            long age = System.currentTimeMillis() - head.header().timestampMs();
            if (age > maxAgeMillis) {
                return Optional.of("newest certified block is " + age + " ms old (max-head-age " + maxAgeMillis + " ms)");
            }
        }
        return Optional.empty();
    }
}
