package org.meshchain.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.port.DeviceDirectory;

/** A running API server on a free loopback port in front of a {@link ChainBackedNode} on disk. */
public final class ApiHarness implements AutoCloseable {

    public static final List<Ed25519PrivateKey> VALIDATORS = List.of(ChainBackedNode.key(11), ChainBackedNode.key(12),
            ChainBackedNode.key(13), ChainBackedNode.key(14));

    public final ActorTestKit testKit;
    public final ChainBackedNode node;
    public final ActorRef<ApiServer.Command> server;
    public final URI base;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record Response(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return StrictJson.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    public ApiHarness(Path dataDir, ApiConfig config, Optional<DeviceDirectory> devices) {
        // a local actor system whatever the class path's reference.conf says (the API needs no cluster)
        this.testKit = ActorTestKit.create("api-test", com.typesafe.config.ConfigFactory.parseString(
                "pekko.actor.provider = local").withFallback(com.typesafe.config.ConfigFactory.load()));
        this.node = new ChainBackedNode(dataDir, VALIDATORS);
        this.server = testKit.spawn(ApiServer.create(node, config, devices, DomainCodecs.DEFAULT), "api");
        this.base = URI.create("http://127.0.0.1:" + boundAddress().getPort());
    }

    public static ApiConfig config() {
        ApiConfig d = ApiConfig.defaults("127.0.0.1", 0);
        return new ApiConfig("127.0.0.1", 0, 64 * 1024, d.requestTimeout(), 8, 4, Duration.ofSeconds(1),
                d.pendingCacheEntries(), d.maxListItems());
    }

    public InetSocketAddress boundAddress() {
        TestProbe<Optional<InetSocketAddress>> probe = testKit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            server.tell(new ApiServer.GetAddress(probe.getRef()));
            Optional<InetSocketAddress> address = probe.receiveMessage();
            if (address.isPresent()) {
                return address.get();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("API server did not bind within 10 s");
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    public Response post(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public Response postJson(String path, String json) {
        return post(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new AssertionError("request failed: " + request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
        node.close();
    }
}
