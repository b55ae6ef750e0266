package org.meshchain.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagementTest {

    @TempDir
    Path dir;

    ActorTestKit testKit;
    ChainBackedNode node;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create("management-test", ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                """).withFallback(ConfigFactory.load()));
        node = new ChainBackedNode(dir, ApiHarness.VALIDATORS);
        node.commit(List.of(), Map.of());
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
        node.close();
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyAliveAndMembersOnTheManagementPort() throws Exception {
        NodeReadinessCheck check = new NodeReadinessCheck(testKit.system().classicSystem());
        assertThat(check.ready()).as("not ready before the node registers").isFalse();

        ServerBinding binding = NodeManagement.start(testKit.system(), node, new ManagementConfig("127.0.0.1", 0, Duration.ZERO))
                .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
        assertThat(get(base, "/alive").statusCode()).isEqualTo(200);
        // not a cluster member yet: the cluster-membership check keeps it unready (Pekko Management answers 500)
        HttpResponse<String> notMember = get(base, "/ready");
        assertThat(notMember.statusCode()).as(notMember.body()).isEqualTo(500);

        Cluster cluster = Cluster.get(testKit.system().classicSystem());
        cluster.join(cluster.selfAddress());
        await().atMost(Duration.ofSeconds(15)).until(() -> get(base, "/ready").statusCode() == 200);

        node.setStorageOpen(false);
        HttpResponse<String> closed = get(base, "/ready");
        assertThat(closed.statusCode()).isEqualTo(500);
        assertThat(closed.body()).contains("storage is closed");
        assertThat(get(base, "/alive").statusCode()).isEqualTo(200);
        node.setStorageOpen(true);
        node.setSyncing(true);
        assertThat(get(base, "/ready").statusCode()).isEqualTo(500);
        node.setSyncing(false);
        assertThat(get(base, "/ready").statusCode()).isEqualTo(200);

        HttpResponse<String> members = get(base, "/cluster/members");
        assertThat(members.statusCode()).isEqualTo(200);
        JsonNode json = StrictJson.MAPPER.readTree(members.body());
        assertThat(json.get("members")).hasSize(1);
        assertThat(json.get("members").get(0).get("status").asText()).isEqualTo("Up");
        binding.unbind();
    }

    @Test
    void staleHeadMakesTheNodeUnreadyWhenConfigured() throws Exception {
        NodeManagement.start(testKit.system(), node, new ManagementConfig("127.0.0.1", 0, Duration.ofMillis(200)))
                .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS).unbind();
        NodeReadinessCheck check = new NodeReadinessCheck(testKit.system().classicSystem());
        node.commit(List.of(), Map.of());
        assertThat(check.ready()).isTrue();
        Thread.sleep(300);
        assertThat(check.ready()).as("newest block older than max-head-age").isFalse();
        node.commit(List.of(), Map.of());
        assertThat(check.ready()).isTrue();
    }
}
