package org.meshchain.node.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Typed, validated settings of the HTTP API ({@code meshchain.node.api} in the node's HOCON; defaults in
 * {@link #DEFAULTS_HOCON}). Invalid values fail at start-up with a message naming the key, the value
 * and the rule.
 *
 * @param host                interface to bind ({@code 0.0.0.0} for all)
 * @param port                TCP port (0 = any free port, for tests)
 * @param maxBodyBytes        largest accepted request body; larger ones get 413
 * @param requestTimeout      longest a request may wait for the node (a submission, a proof)
 * @param sseBufferEvents     committed-block events buffered per {@code /v1/events} client; a client
 *                            that falls this far behind is disconnected
 * @param maxSseClients       concurrent {@code /v1/events} clients; more get 503
 * @param sseHeartbeat        interval of SSE comment lines that keep idle connections open
 * @param pendingCacheEntries transactions accepted through this API remembered as pending
 * @param maxListItems        most entries in a list response (e.g. devices)
 */
public record ApiConfig(
        String host,
        int port,
        int maxBodyBytes,
        Duration requestTimeout,
        int sseBufferEvents,
        int maxSseClients,
        Duration sseHeartbeat,
        int pendingCacheEntries,
        int maxListItems) {

    /** The defaults, as HOCON (what {@code meshchain.node.api} falls back to). */
    public static final String DEFAULTS_HOCON = """
            host = "127.0.0.1"
            port = 8080
            max-body-bytes = 1048576
            request-timeout = 10s
            sse-buffer-events = 256
            max-sse-clients = 256
            sse-heartbeat = 15s
            pending-cache-entries = 100000
            max-list-items = 1000
            """;

    public ApiConfig {
        check("host", host, host != null && !host.isBlank(), "must be a host name or address");
        check("port", port, port >= 0 && port <= 65535, "must be 0..65535");
        // a deploy of the largest module is 2 × 256 KiB of hex plus JSON; 64 MiB bounds memory per request
        check("max-body-bytes", maxBodyBytes, maxBodyBytes >= 1024 && maxBodyBytes <= 64 * 1024 * 1024,
                "must be 1024..67108864 bytes");
        check("request-timeout", requestTimeout, requestTimeout != null && !requestTimeout.isNegative()
                && !requestTimeout.isZero() && requestTimeout.compareTo(Duration.ofMinutes(5)) <= 0, "must be in (0, 5 min]");
        check("sse-buffer-events", sseBufferEvents, sseBufferEvents >= 1 && sseBufferEvents <= 65536, "must be 1..65536");
        check("max-sse-clients", maxSseClients, maxSseClients >= 0 && maxSseClients <= 100_000, "must be 0..100000");
        check("sse-heartbeat", sseHeartbeat, sseHeartbeat != null && sseHeartbeat.compareTo(Duration.ofMillis(100)) >= 0
                && sseHeartbeat.compareTo(Duration.ofMinutes(10)) <= 0, "must be in [100 ms, 10 min]");
        check("pending-cache-entries", pendingCacheEntries, pendingCacheEntries >= 0 && pendingCacheEntries <= 10_000_000,
                "must be 0..10000000");
        check("max-list-items", maxListItems, maxListItems >= 1 && maxListItems <= 100_000, "must be 1..100000");
    }

    /** The defaults with another port. */
    public static ApiConfig defaults(String host, int port) {
        ApiConfig d = fromConfig(com.typesafe.config.ConfigFactory.parseString(DEFAULTS_HOCON));
        return new ApiConfig(host, port, d.maxBodyBytes, d.requestTimeout, d.sseBufferEvents, d.maxSseClients,
                d.sseHeartbeat, d.pendingCacheEntries, d.maxListItems);
    }

    /**
     * Reads {@code config} (the {@code meshchain.node.api} section), falling back to the defaults for
     * missing keys. Throws {@link IllegalArgumentException} naming key, value and rule.
     */
    public static ApiConfig fromConfig(Config config) {
        Config c = config.withFallback(com.typesafe.config.ConfigFactory.parseString(DEFAULTS_HOCON));
        try {
            return new ApiConfig(c.getString("host"), c.getInt("port"), c.getInt("max-body-bytes"),
                    c.getDuration("request-timeout"), c.getInt("sse-buffer-events"), c.getInt("max-sse-clients"),
                    c.getDuration("sse-heartbeat"), c.getInt("pending-cache-entries"), c.getInt("max-list-items"));
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw new IllegalArgumentException("meshchain.node.api: " + e.getMessage(), e);
        }
    }

    private static void check(String key, Object value, boolean ok, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("meshchain.node.api." + key + " = " + value + ": " + rule);
        }
    }
}
