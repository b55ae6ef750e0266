package org.meshchain.node.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Settings of the management port ({@code meshchain.node.management}).
 *
 * @param host       interface to bind
 * @param port       TCP port (DESIGN 8: 7626 by default; 0 = any free port, for tests)
 * @param maxHeadAge readiness also fails when the newest certified block is older than this
 *                   (zero disables the check, for chains that may sit idle)
 */
public record ManagementConfig(String host, int port, Duration maxHeadAge) {

    public static final String DEFAULTS_HOCON = """
            host = "127.0.0.1"
            port = 7626
            max-head-age = 0s
            """;

    public ManagementConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("meshchain.node.management.host = " + host + ": must be a host name or address");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("meshchain.node.management.port = " + port + ": must be 0..65535");
        }
        if (maxHeadAge == null || maxHeadAge.isNegative()) {
            throw new IllegalArgumentException("meshchain.node.management.max-head-age = " + maxHeadAge + ": must be >= 0");
        }
    }

    public static ManagementConfig fromConfig(Config config) {
        Config c = config.withFallback(ConfigFactory.parseString(DEFAULTS_HOCON));
        try {
            return new ManagementConfig(c.getString("host"), c.getInt("port"), c.getDuration("max-head-age"));
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw new IllegalArgumentException("meshchain.node.management: " + e.getMessage(), e);
        }
    }
}
