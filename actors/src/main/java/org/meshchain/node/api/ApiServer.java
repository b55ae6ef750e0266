package org.meshchain.node.api;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.port.DeviceDirectory;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.NodeServices;

/**
 * The HTTP API as an actor the node supervises (DESIGN 8): it binds the port when started and
 * unbinds it (ending event streams) when stopped or restarted. Binding failure (port in use) fails
 * the actor, so the node's supervisor restarts it with backoff; the API failing never touches
 * consensus. Requests are served by Pekko HTTP's streams, not by this actor's mailbox.
 */
public final class ApiServer extends AbstractBehavior<ApiServer.Command> {

    /** The actor's protocol. */
    public sealed interface Command {}

    /** Asks for the bound address (empty until bound). */
    public record GetAddress(ActorRef<Optional<InetSocketAddress>> replyTo) implements Command {}

    private record Bound(ServerBinding binding) implements Command {}

    private record BindFailed(Throwable cause) implements Command {}

    /** Why the server actor failed: the node's supervisor decides what to do. */
    public static final class BindException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ApiConfig config;
    private final CommitEvents events;
    private ServerBinding binding;

    /**
     * The API server as a {@link NodeExtension}: the node spawns {@code behavior(services)} under its
     * guardian with its own supervision.
     */
    public static NodeExtension extension(ApiConfig config, Optional<DeviceDirectory> devices) {
        return new NodeExtension() {
            @Override
            public String name() {
                return "api";
            }

            @Override
            public Behavior<?> behavior(NodeServices services) {
                return create(services, config, devices, DomainCodecs.DEFAULT);
            }
        };
    }

    public static Behavior<Command> create(NodeServices services, ApiConfig config, Optional<DeviceDirectory> devices,
            DomainCodecs codecs) {
        return Behaviors.setup(context -> new ApiServer(context, services, config, devices, codecs));
    }

    private ApiServer(ActorContext<Command> context, NodeServices services, ApiConfig config,
            Optional<DeviceDirectory> devices, DomainCodecs codecs) {
        super(context);
        this.config = config;
        Materializer materializer = Materializer.matFromSystem(context.getSystem());
        Executor blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        ApiMetrics metrics = new ApiMetrics(services.metrics());
        this.events = new CommitEvents(services, config, metrics, materializer);
        ApiRoutes routes = new ApiRoutes(services, config, devices, codecs, blocking, materializer, metrics, events);
        context.pipeToSelf(
                Http.get(context.getSystem()).newServerAt(config.host(), config.port())
                        .withMaterializer(materializer)
                        // every body on this server, also on routes that ignore it, is bounded at the parser
                        .adaptSettings(settings -> settings.withParserSettings(
                                settings.getParserSettings().withMaxContentLength(config.maxBodyBytes())))
                        .bind(routes::handle),
                (bound, failure) -> failure == null ? new Bound(bound) : new BindFailed(failure));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Bound.class, this::onBound)
                .onMessage(BindFailed.class, failed -> {
                    throw new BindException("HTTP API cannot bind " + config.host() + ":" + config.port() + ": "
                            + failed.cause().getMessage(), failed.cause());
                })
                .onMessage(GetAddress.class, ask -> {
                    ask.replyTo().tell(Optional.ofNullable(binding).map(ServerBinding::localAddress));
                    return this;
                })
                .onSignal(PostStop.class, signal -> release())
                .onSignal(PreRestart.class, signal -> release())
                .build();
    }

    private Behavior<Command> onBound(Bound bound) {
        binding = bound.binding();
        getContext().getLog().info("HTTP API listening on http://{}:{}/", binding.localAddress().getHostString(),
                binding.localAddress().getPort());
        return this;
    }

    private Behavior<Command> release() {
        events.close();
        if (binding != null) {
            // stop accepting at once; give in-flight requests a moment, then close their connections
            binding.terminate(Duration.ofSeconds(2));
            binding = null;
        }
        return this;
    }
}
