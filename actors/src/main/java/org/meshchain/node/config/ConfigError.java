package org.meshchain.node.config;

/** A configuration value the node cannot run with; the message names the key, the value and the rule. */
public final class ConfigError extends RuntimeException {

    private final String key;

    public ConfigError(String key, Object value, String rule) {
        super("config " + key + " = " + value + ": " + rule);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
