package org.meshchain.bridge;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The bridge's configuration ({@code meshchain.bridge}, defaults in reference.conf), typed and
 * validated once at start-up. Every error names the key, the value and the rule.
 */
public record BridgeConfig(
        String brokerHost,
        int brokerPort,
        boolean tls,
        MqttVersion mqttVersion,
        String clientId,
        Optional<String> username,
        Optional<String> password,
        Optional<Path> trustStore,
        String trustStorePassword,
        Duration keepAlive,
        Duration sessionExpiry,
        Duration reconnectInitialDelay,
        Duration reconnectMaxDelay,
        int maxFrameBytes,
        double framesPerSecond,
        int burst,
        int maxDevices,
        int maxInFlightFrames,
        int validationThreads,
        int counterBatchMax,
        int counterSnapshotEvery,
        int maxAwaitingCommit,
        int maxSubmissionsInFlight) {

    public static final String PREFIX = "meshchain.bridge";

    public enum MqttVersion { V3_1_1, V5 }

    /** A configuration value that breaks a rule; the message names key, value and rule. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidConfigException(String key, Object value, String rule) {
            super(PREFIX + "." + key + " = " + (value instanceof String ? "\"" + value + "\"" : value) + ": " + rule);
        }
    }

    public BridgeConfig {
        Objects.requireNonNull(brokerHost);
        Objects.requireNonNull(mqttVersion);
        Objects.requireNonNull(username);
        Objects.requireNonNull(password);
        Objects.requireNonNull(trustStore);
    }

    /** Reads {@code meshchain.bridge} from {@code root} (with reference.conf defaults behind it). */
    public static BridgeConfig from(Config root) {
        Config c;
        try {
            c = root.getConfig(PREFIX);
        } catch (ConfigException e) {
            throw new InvalidConfigException("", "missing", "the section must exist (defaults come from reference.conf)");
        }
        String url = string(c, "broker-url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException("broker-url", url, "must be tcp://host:port or ssl://host:port");
        }
        boolean tls;
        if ("tcp".equals(uri.getScheme()) || "mqtt".equals(uri.getScheme())) {
            tls = false;
        } else if ("ssl".equals(uri.getScheme()) || "mqtts".equals(uri.getScheme())) {
            tls = true;
        } else {
            throw new InvalidConfigException("broker-url", url, "scheme must be tcp (or mqtt) or ssl (or mqtts)");
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535
                || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null || uri.getUserInfo() != null) {
            throw new InvalidConfigException("broker-url", url,
                    "must be scheme://host:port with a port in 1..65535 and nothing else (credentials go in username/password)");
        }
        String versionText = string(c, "mqtt-version");
        MqttVersion version = switch (versionText) {
            case "3.1.1", "3" -> MqttVersion.V3_1_1;
            case "5", "5.0" -> MqttVersion.V5;
            default -> throw new InvalidConfigException("mqtt-version", versionText, "must be \"3.1.1\" or \"5\"");
        };
        String clientId = string(c, "client-id");
        if (clientId.isEmpty() || clientId.length() > 23 || !clientId.matches("[0-9A-Za-z-]+")) {
            // MQTT 3.1.1 (3.1.3.1): brokers must accept 1..23 characters of [0-9a-zA-Z]; '-' is accepted by every broker we use
            throw new InvalidConfigException("client-id", clientId, "must be 1..23 characters of [0-9A-Za-z-]");
        }
        String username = string(c, "username");
        String password = string(c, "password");
        if (username.isEmpty() && !password.isEmpty()) {
            throw new InvalidConfigException("password", "(hidden)", "a password needs a username");
        }
        String trustStoreText = string(c, "tls.trust-store");
        Optional<Path> trustStore = Optional.empty();
        if (!trustStoreText.isEmpty()) {
            if (!tls) {
                throw new InvalidConfigException("tls.trust-store", trustStoreText, "only used with an ssl:// broker-url");
            }
            Path p = Path.of(trustStoreText);
            if (!Files.isReadable(p)) {
                throw new InvalidConfigException("tls.trust-store", trustStoreText, "must be a readable PKCS12 file");
            }
            trustStore = Optional.of(p);
        }
        Duration keepAlive = duration(c, "keep-alive", Duration.ofSeconds(1), Duration.ofSeconds(65535));
        Duration sessionExpiry = duration(c, "session-expiry", Duration.ofSeconds(1), Duration.ofSeconds(0xFFFF_FFFEL));
        Duration initial = duration(c, "reconnect.initial-delay", Duration.ofMillis(10), Duration.ofMinutes(10));
        Duration max = duration(c, "reconnect.max-delay", Duration.ofMillis(10), Duration.ofHours(1));
        if (max.compareTo(initial) < 0) {
            throw new InvalidConfigException("reconnect.max-delay", max, "must be at least reconnect.initial-delay (" + initial + ")");
        }
        int maxFrame = integer(c, "max-frame-bytes", 128, 256 * 1024);
        double rate;
        try {
            rate = c.getDouble("rate.frames-per-second");
        } catch (ConfigException e) {
            throw new InvalidConfigException("rate.frames-per-second", describe(c, "rate.frames-per-second"), "must be a number");
        }
        if (!(rate > 0) || rate > 1_000_000) {
            throw new InvalidConfigException("rate.frames-per-second", rate, "must be > 0 and <= 1000000");
        }
        return new BridgeConfig(uri.getHost(), uri.getPort(), tls, version, clientId,
                username.isEmpty() ? Optional.empty() : Optional.of(username),
                password.isEmpty() ? Optional.empty() : Optional.of(password),
                trustStore, string(c, "tls.trust-store-password"), keepAlive, sessionExpiry, initial, max, maxFrame,
                rate, integer(c, "rate.burst", 1, 1_000_000), integer(c, "max-devices", 1, 10_000_000),
                integer(c, "max-in-flight-frames", 1, 1_000_000), integer(c, "validation-threads", 1, 64),
                integer(c, "counter-batch-max", 1, 20_000), integer(c, "counter-snapshot-every", 1, 1_000_000),
                integer(c, "max-awaiting-commit", 1, 10_000_000), integer(c, "max-submissions-in-flight", 1, 100_000));
    }

    private static String describe(Config c, String key) {
        return c.hasPath(key) ? c.getValue(key).render() : "missing";
    }

    private static String string(Config c, String key) {
        try {
            return c.getString(key);
        } catch (ConfigException e) {
            throw new InvalidConfigException(key, describe(c, key), "must be a string");
        }
    }

    private static int integer(Config c, String key, int min, int max) {
        long value;
        try {
            value = c.getLong(key);
        } catch (ConfigException e) {
            throw new InvalidConfigException(key, describe(c, key), "must be an integer");
        }
        if (value < min || value > max) {
            throw new InvalidConfigException(key, value, "must be in " + min + ".." + max);
        }
        return (int) value;
    }

    private static Duration duration(Config c, String key, Duration min, Duration max) {
        Duration value;
        try {
            value = c.getDuration(key);
        } catch (ConfigException e) {
            throw new InvalidConfigException(key, describe(c, key), "must be a duration such as 500ms or 30s");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidConfigException(key, value, "must be in " + min + ".." + max);
        }
        return value;
    }
}
