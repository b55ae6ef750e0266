package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.deploy.devnet.DevnetDevices;
import org.meshchain.node.port.NodeServices;

/**
 * The devnet as {@code meshchain devnet} runs it (ADR 0045): four validators, the embedded broker, the
 * bridge on validator 0 and a fleet of simulated devices; then stopped (broker port free again) and
 * started again from the same directory, where the devices go on without reusing a counter.
 */
class DevnetSessionTest {

    private static final int DEVICES = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void devicesRegisterReportAndTransferThroughTheEmbeddedBrokerAndResumeAfterRestart() throws Exception {
        int brokerPort = freePort();
        // a key as a real device would have it: registered and funded at start (--register-device)
        Ed25519PrivateKey otherDevice = Ed25519PrivateKey.fromSeed(new byte[32]);
        int clusterPort = freeConsecutivePorts(4);
        int apiPort = freeConsecutivePorts(4);
        int managementPort = freeConsecutivePorts(4);
        DevnetSession.Options options = new DevnetSession.Options(dir, 4, 3, "127.0.0.1", clusterPort, apiPort, managementPort,
                false, 0, "127.0.0.1", brokerPort, DEVICES, 300, List.of(otherDevice.publicKey()));
        StringWriter log = new StringWriter();

        Map<Address, Long> countersAfterFirstRun = new HashMap<>();
        List<Address> devices;
        try (DevnetSession session = DevnetSession.start(options, new PrintWriter(log, true))) {
            assertThat(session.broker().port()).isEqualTo(brokerPort);
            DevnetDevices fleet = session.devices().orElseThrow();
            devices = fleet.addresses();
            NodeServices node0 = session.devnet().node(0).services();
            NodeServices node3 = session.devnet().node(3).services();
            // what validator 3 (no bridge) commits successfully from each device, by payload kind
            Map<Address, java.util.Set<Class<?>>> committedKinds = new java.util.concurrent.ConcurrentHashMap<>();
            AutoCloseable subscription = node3.subscribeCommits(committed -> {
                for (int i = 0; i < committed.block().transactions().size(); i++) {
                    var tx = committed.block().transactions().get(i);
                    try {
                        if (Receipt.decode(committed.receipts().get(i)).status() == Receipt.Status.SUCCESS) {
                            committedKinds.computeIfAbsent(tx.body().sender(), a -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                                    .add(tx.body().payload().getClass());
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            });

            // registered on chain by the owner; reports (DeviceRecord.lastCounter) and transfers (the
            // device's nonce) from every device committed, seen on a validator that does not run the bridge
            for (Address device : devices) {
                await("reports and a transfer of " + device.toHex() + " committed: " + log, 60,
                        () -> committedKinds.getOrDefault(device, java.util.Set.of())
                                .containsAll(java.util.Set.of(Payload.DeviceReport.class, Payload.Transfer.class)));
                assertThat(lastCounter(node3, device)).as("the chain's counter of %s", device.toHex()).isPositive();
            }
            subscription.close();
            await("COMMITTED replies reach the devices", 30,
                    () -> fleet.replies().getOrDefault(ReplyCode.COMMITTED, 0L) >= 2L * DEVICES);

            Address other = Address.of(otherDevice.publicKey());
            assertThat(lastCounter(node0, other)).as("--register-device key registered").isZero();
            assertThat(account(node0, other).balance()).isPositive();

            JsonNode listed = getJson(apiPort, "/v1/devices");
            assertThat(listed.get("bridge").asBoolean()).isTrue();
            for (Address device : devices) {
                JsonNode status = find(listed, device);
                assertThat(status).as("device %s in /v1/devices: %s", device.toHex(), listed).isNotNull();
                assertThat(status.get("online").asBoolean()).isTrue();
                assertThat(status.get("framesAccepted").asLong()).isPositive();
                assertThat(status.get("framesRejected").asLong()).isZero();
            }
            assertThat(session.deviceCounts().online()).isEqualTo(DEVICES);
            assertThat(fleet.rejected()).as("rejections the devices saw: %s", fleet.replies()).isZero();
            for (Address device : devices) {
                countersAfterFirstRun.put(device, lastCounter(node0, device));
            }
        }

        // closed: the broker's (and the API's) ports are free again
        assertThat(canBind(brokerPort)).as("broker port free after close").isTrue();
        assertThat(canBind(apiPort)).as("API port free after close").isTrue();

        // again from the same directory and the same broker port: same devices, no counter reused
        StringWriter log2 = new StringWriter();
        try (DevnetSession session = DevnetSession.start(options, new PrintWriter(log2, true))) {
            DevnetDevices fleet = session.devices().orElseThrow();
            assertThat(fleet.addresses()).containsExactlyElementsOf(devices);
            NodeServices node1 = session.devnet().node(1).services();
            for (Address device : devices) {
                long before = countersAfterFirstRun.get(device);
                await("new reports of " + device.toHex() + " committed after restart: " + log2, 60,
                        () -> lastCounter(node1, device) > before);
            }
            await("COMMITTED replies after restart", 30,
                    () -> fleet.replies().getOrDefault(ReplyCode.COMMITTED, 0L) >= DEVICES);
            assertThat(fleet.replies().getOrDefault(ReplyCode.REPLAY, 0L)).as("replays: %s", fleet.replies()).isZero();
            assertThat(fleet.rejected()).as("rejections after restart: %s", fleet.replies()).isZero();
            assertThat(session.deviceCounts().rejected()).isZero();
            assertThat(log2.toString()).contains("registering " + DEVICES);
        }
        assertThat(canBind(brokerPort)).isTrue();
    }

    @Test
    void aFailedStartUpStopsWhatItStartedBrokerIncluded() throws Exception {
        int brokerPort = freePort();
        int managementPort = freeConsecutivePorts(1);
        DevnetSession.Options options = new DevnetSession.Options(dir, 1, 2, "127.0.0.1", freeConsecutivePorts(1),
                freeConsecutivePorts(1), managementPort, false, 0, "127.0.0.1", brokerPort, 1, 300, List.of());
        try (ServerSocket taken = new ServerSocket(managementPort, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> DevnetSession.start(options, new PrintWriter(new StringWriter(), true)))
                    .isInstanceOf(CliSubcommand.CommandFailure.class)
                    .hasMessageContaining("management port " + managementPort);
        }
        assertThat(canBind(brokerPort)).as("broker stopped by the rollback").isTrue();
        assertThat(canBind(options.clusterPort())).as("validator stopped by the rollback").isTrue();
    }

    /** The device's last counter on chain; -1 while it is not registered. */
    private static long lastCounter(NodeServices node, Address device) {
        return node.readState(StatePaths.device(device)).map(bytes -> {
            try {
                return DeviceRecord.decode(bytes).lastCounter();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).orElse(-1L);
    }

    private static AccountState account(NodeServices node, Address device) {
        return node.readState(StatePaths.account(device)).map(bytes -> {
            try {
                return AccountState.decode(bytes);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).orElse(AccountState.EMPTY);
    }

    private static JsonNode find(JsonNode listed, Address device) {
        for (JsonNode d : listed.get("devices")) {
            if (d.get("device").asText().equals(device.toHex())) {
                return d;
            }
        }
        return null;
    }

    private static JsonNode getJson(int port, String path) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int freeConsecutivePorts(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = freePort();
            if (base + n > 65_535) {
                continue;
            }
            boolean all = true;
            for (int i = 1; i < n && all; i++) {
                all = canBind(base + i);
            }
            if (all) {
                return base;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }
}
