package org.meshchain.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.node.port.NodeExtension;

/** The API as a node extension: a failed bind fails the actor, the supervisor restarts it, and it binds once it can. */
class ApiServerSupervisionTest {

    @TempDir
    Path dir;

    ActorTestKit testKit;
    ChainBackedNode node;

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create("api-supervision", com.typesafe.config.ConfigFactory.parseString(
                "pekko.actor.provider = local").withFallback(com.typesafe.config.ConfigFactory.load()));
        node = new ChainBackedNode(dir, ApiHarness.VALIDATORS);
        node.commit(List.of(), Map.of());
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
        node.close();
    }

    @SuppressWarnings("unchecked")
    @Test
    void bindFailureRestartsWithBackoffUntilThePortIsFree() throws Exception {
        ServerSocket occupied = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        int port = occupied.getLocalPort();
        ApiConfig config = ApiConfig.defaults("127.0.0.1", port);
        NodeExtension extension = ApiServer.extension(config, Optional.empty());
        assertThat(extension.name()).isEqualTo("api");
        // what the node does with an extension: supervise it with restart and backoff
        Behavior<ApiServer.Command> behavior = (Behavior<ApiServer.Command>) extension.behavior(node);
        ActorRef<ApiServer.Command> server = testKit.spawn(Behaviors.supervise(behavior)
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofMillis(400), 0)), "api");

        TestProbe<Optional<InetSocketAddress>> probe = testKit.createTestProbe();
        Thread.sleep(500);
        server.tell(new ApiServer.GetAddress(probe.getRef()));
        assertThat(probe.receiveMessage(Duration.ofSeconds(5))).isEmpty();

        occupied.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            server.tell(new ApiServer.GetAddress(probe.getRef()));
            return probe.receiveMessage(Duration.ofSeconds(5)).isPresent();
        });
        HttpResponse<String> status = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/status")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        // one commit subscription: the failed incarnations released theirs
        assertThat(node.listenerCount()).isEqualTo(1);

        // stopping the extension frees the port
        testKit.stop(server);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (ServerSocket again = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
                return true;
            } catch (java.io.IOException inUse) {
                return false;
            }
        });
        assertThat(node.listenerCount()).isZero();
    }
}
