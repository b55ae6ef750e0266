package org.meshchain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CLI's client of a node's HTTP API (docs/API.md). Every failure becomes a one-line
 * {@link CliSubcommand.CommandFailure}: unreachable node, timeout, an error answer (with the node's
 * {@code error} code and {@code detail}), or a response that is not the expected JSON. Responses
 * are read up to {@link #MAX_RESPONSE_BYTES}.
 */
final class NodeApiClient {

    static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer from the node: status and parsed JSON body. */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** {@code code: detail} of an error answer. */
        String error() {
            return body.path("error").asText("http_" + status) + ": " + body.path("detail").asText("(no detail)");
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    NodeApiClient(String apiUrl, Duration timeout) throws CliSubcommand.CommandFailure {
        this.base = parseBase(apiUrl);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    static URI parseBase(String apiUrl) throws CliSubcommand.CommandFailure {
        URI uri;
        try {
            uri = new URI(apiUrl);
        } catch (URISyntaxException e) {
            throw new CliSubcommand.CommandFailure("--api " + apiUrl + " is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new CliSubcommand.CommandFailure("--api must be an http:// or https:// URL with a host (e.g. "
                    + "http://127.0.0.1:8080), got " + apiUrl);
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new CliSubcommand.CommandFailure("--api must not carry a query or fragment: " + apiUrl);
        }
        String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        return uri.resolve(path.endsWith("/") ? path : path + "/");
    }

    URI base() {
        return base;
    }

    Answer get(String path) throws CliSubcommand.CommandFailure {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build());
    }

    Answer postJson(String path, String json) throws CliSubcommand.CommandFailure {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    /** A successful answer, or a failure naming what the node said. */
    JsonNode expectOk(Answer answer, String what) throws CliSubcommand.CommandFailure {
        if (!answer.ok()) {
            throw new CliSubcommand.CommandFailure(what + " failed: node answered " + answer.status() + " " + answer.error());
        }
        return answer.body();
    }

    /** The most specific message in the cause chain (ConnectException often has none itself). */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "connection refused (is the node running, is the port right?)"
                : e.getClass().getSimpleName();
    }

    private Answer send(HttpRequest request) throws CliSubcommand.CommandFailure {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new CliSubcommand.CommandFailure("node at " + base + " did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new CliSubcommand.CommandFailure("cannot reach node at " + base + ": " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliSubcommand.CommandFailure("interrupted");
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_RESPONSE_BYTES + 1);
        } catch (IOException e) {
            throw new CliSubcommand.CommandFailure("reading the answer from " + base + " failed: " + e.getMessage());
        }
        if (body.length > MAX_RESPONSE_BYTES) {
            throw new CliSubcommand.CommandFailure("answer from " + base + " is larger than " + MAX_RESPONSE_BYTES + " bytes");
        }
        try {
            JsonNode json = JSON.readTree(body);
            if (json == null || !json.isObject()) {
                throw new IOException("not a JSON object");
            }
            return new Answer(response.statusCode(), json);
        } catch (IOException e) {
            throw new CliSubcommand.CommandFailure("answer from " + request.uri() + " (HTTP " + response.statusCode()
                    + ") is not a MeshChain API JSON object; is --api a MeshChain node?");
        }
    }
}
