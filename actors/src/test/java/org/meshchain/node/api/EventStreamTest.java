package org.meshchain.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.port.CommittedBlock;

class EventStreamTest {

    @TempDir
    Path dir;

    ApiHarness api;

    @BeforeEach
    void start() {
        api = new ApiHarness(dir, ApiHarness.config(), Optional.empty());
        api.node.commit(List.of(), Map.of(org.meshchain.core.state.StatePaths.account(ApiServerTest.ALICE_ADDRESS),
                new org.meshchain.core.state.AccountState(1_000_000, 0, 0).encode()));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** Reads an SSE stream on its own thread: each complete event's data line, in order. */
    private static final class EventReader implements AutoCloseable {
        final BlockingQueue<String> data = new LinkedBlockingQueue<>();
        final InputStream body;
        final Thread thread;
        volatile boolean ended;

        EventReader(ApiHarness api) throws Exception {
            HttpResponse<InputStream> response = api.http.send(HttpRequest.newBuilder(api.base.resolve("/v1/events")).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
            body = response.body();
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String first = reader.readLine();
            assertThat(first).isEqualTo(": connected");
            thread = new Thread(() -> {
                try {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.startsWith("data: ")) {
                            data.add(line.substring(6));
                        }
                    }
                } catch (IOException e) {
                    // stream ended by close()
                } finally {
                    ended = true;
                }
            }, "sse-reader");
            thread.setDaemon(true);
            thread.start();
        }

        JsonNode next() throws Exception {
            String line = data.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("an event within 10 s").isNotNull();
            return StrictJson.MAPPER.readTree(line);
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    @Test
    void committedBlocksArriveInOrderWithTheirTransactions() throws Exception {
        try (EventReader reader = new EventReader(api)) {
            List<Block> blocks = new ArrayList<>();
            blocks.add(api.node.commit(List.of(), Map.of()));
            SignedTransaction tx = ApiServerTest.transfer(ApiServerTest.ALICE, 0, ApiServerTest.BOB_ADDRESS, 0);
            blocks.add(api.node.commit(List.of(tx), Map.of()));
            blocks.add(api.node.commit(List.of(), Map.of()));
            for (Block block : blocks) {
                JsonNode event = reader.next();
                assertThat(event.get("height").asLong()).isEqualTo(block.header().height());
                assertThat(event.get("id").asText()).isEqualTo(block.id().toHex());
                assertThat(event.get("transactionCount").asInt()).isEqualTo(block.transactions().size());
            }
            assertThat(api.get("/v1/blocks/2").json().get("transactions").get(0).get("hash").asText())
                    .isEqualTo(tx.id().toHex());
        }
    }

    @Test
    void slowClientIsDroppedWhileFastClientKeepsReceiving() throws Exception {
        // a block whose event is ~40 KB, so a few hundred events overflow any socket buffers
        List<SignedTransaction> txs = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            txs.add(ApiServerTest.transfer(ApiServerTest.ALICE, i, ApiServerTest.BOB_ADDRESS, 0));
        }
        Block big = api.node.commit(txs, Map.of());
        CommittedBlock committed;
        try (var view = api.node.openChainView()) {
            List<org.meshchain.core.codec.Bytes> receipts = new ArrayList<>();
            for (int i = 0; i < txs.size(); i++) {
                receipts.add(view.transaction(txs.get(i).id()).orElseThrow().receipt());
            }
            committed = new CommittedBlock(big, view.certificateAt(big.header().height()).orElseThrow(), receipts);
        }

        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(api.boundAddress());
            slow.getOutputStream().write(("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> metric("meshchain_api_sse_clients_opened_total") >= 1);
            try (EventReader fast = new EventReader(api)) {
                double dropped = 0;
                int published = 0;
                // lockstep with the fast client: its buffer never holds more than one event
                while (published < 2000 && dropped == 0) {
                    api.node.republish(committed);
                    published++;
                    assertThat(fast.next().get("height").asLong()).isEqualTo(big.header().height());
                    dropped = metric("meshchain_api_sse_clients_dropped_total");
                }
                assertThat(dropped).as("slow client dropped after " + published + " events").isEqualTo(1);
                // the fast client is still served
                api.node.republish(committed);
                assertThat(fast.next().get("id").asText()).isEqualTo(big.id().toHex());
                // the slow client's connection is closed once it reads what the kernel already holds
                slow.setSoTimeout(10_000);
                InputStream in = slow.getInputStream();
                byte[] sink = new byte[64 * 1024];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                int n = 0;
                while (n >= 0 && System.nanoTime() < deadline) {
                    try {
                        n = in.read(sink);
                    } catch (java.net.SocketException reset) {
                        n = -1; // aborted by the server: the drop we expect
                    }
                }
                assertThat(n).as("slow client's stream ended").isEqualTo(-1);
            }
        }
        assertThat(api.node.listenerCount()).isEqualTo(1);
    }

    /** Opens a raw event-stream connection and reads its response head and first comment. */
    private Socket rawEventStream() throws IOException {
        Socket socket = new Socket();
        socket.connect(api.boundAddress());
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        StringBuilder head = new StringBuilder();
        InputStream in = socket.getInputStream();
        while (!head.toString().contains(": connected")) {
            int b = in.read();
            assertThat(b).as("stream ended early: " + head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200 OK");
        return socket;
    }

    @Test
    void clientLimitIsEnforcedAndFreedWhenClientsLeave() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                clients.add(rawEventStream());
            }
            ApiHarness.Response refused = api.get("/v1/events");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().get("error").asText()).isEqualTo("too_many_clients");
            // a client that leaves is noticed at the next heartbeat write (1 s in this config)
            clients.remove(0).close();
            await().atMost(Duration.ofSeconds(20)).until(() -> metric("meshchain_api_sse_clients_closed_total") >= 1);
            clients.add(rawEventStream());
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    private double metric(String name) {
        for (String line : api.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        return 0;
    }
}
