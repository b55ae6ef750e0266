package org.meshchain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshchain status}: a node's progress, from its HTTP API. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a node's chain, committed height, round, leader, sync state and peers (from its HTTP API).")
final class StatusCommand extends CliSubcommand {

    @Option(names = "--api", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "The node's API base URL (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds to wait for the node (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    void execute(PrintWriter out) throws CommandFailure {
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new CommandFailure("--timeout must be 1..3600 seconds, got " + timeoutSeconds);
        }
        NodeApiClient client = new NodeApiClient(api, Duration.ofSeconds(timeoutSeconds));
        JsonNode status = client.expectOk(client.get("v1/status"), "status");
        JsonNode validators = client.expectOk(client.get("v1/validators"), "validators");
        out.printf("node        %s%n", client.base());
        out.printf("chain       %s%n", status.path("chainId").asText());
        out.printf("self        %s%n", status.path("self").asText());
        out.printf("height      %d%n", status.path("committedHeight").asLong());
        out.printf("round       %d%n", status.path("round").asLong());
        out.printf("leader      %s%n", status.path("leader").isNull() ? "-" : status.path("leader").asText());
        out.printf("syncing     %s%n", status.path("syncing").asBoolean());
        out.printf("mempool     %d%n", status.path("mempoolSize").asLong());
        out.printf("storage     %s%n", status.path("storageOpen").asBoolean() ? "open" : "CLOSED");
        JsonNode head = status.path("head");
        if (head.isObject()) {
            out.printf("head        %s (state root %s)%n", head.path("id").asText(), head.path("stateRoot").asText());
        }
        int connected = 0;
        int banned = 0;
        int peers = 0;
        for (JsonNode v : validators.path("validators")) {
            JsonNode peer = v.path("peer");
            if (peer.isObject()) {
                peers++;
                connected += peer.path("connected").asBoolean() ? 1 : 0;
                banned += peer.path("banned").asBoolean() ? 1 : 0;
            }
        }
        out.printf("validators  %d (quorum %d); peers %d connected of %d, %d banned%n",
                validators.path("count").asInt(), validators.path("quorum").asInt(), connected, peers, banned);
    }
}
