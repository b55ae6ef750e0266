package org.meshchain.node.api;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.meshchain.node.port.NodeServices;

/**
 * Pekko Management on its own port (DESIGN 8): {@code /alive}, {@code /ready}, {@code /startup} and
 * {@code /cluster/members}. The health checks are registered by configuration (this module's
 * reference.conf registers {@link NodeReadinessCheck}; management-cluster-http's registers cluster
 * membership); they find the node through this extension.
 *
 * <p>The node calls {@link #start} once its {@link NodeServices} exist, and unbinds the returned
 * binding on shutdown.
 */
public final class NodeManagement implements Extension {

    private static final Id ID = new Id();

    private volatile NodeServices services;
    private volatile ManagementConfig config;

    static final class Id extends AbstractExtensionId<NodeManagement> {
        @Override
        public NodeManagement createExtension(ExtendedActorSystem system) {
            return new NodeManagement();
        }
    }

    static NodeManagement get(org.apache.pekko.actor.ActorSystem system) {
        return ID.get(system);
    }

    NodeServices services() {
        return services;
    }

    ManagementConfig config() {
        return config;
    }

    /**
     * Registers the node with the health checks of {@code system} and binds the management routes
     * on {@code config.host():config.port()}. The stage fails if the port cannot be bound.
     */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, NodeServices services, ManagementConfig config) {
        NodeManagement registry = get(system.classicSystem());
        registry.config = config;
        registry.services = services;
        return Http.get(system).newServerAt(config.host(), config.port())
                .bindFlow(PekkoManagement.get(system.classicSystem()).getRoutes().flow(system));
    }
}
