package org.meshchain.core.types;

import java.util.regex.Pattern;

/**
 * The network's name, part of every signed body and of MQTT topics ({@code meshchain/{c}/...}),
 * so it is restricted to 1..32 characters of [a-z0-9-], starting with a letter or digit.
 */
public record ChainId(String value) {

    public static final int MAX_LENGTH = 32;
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    public ChainId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("chain id must be 1..32 characters of [a-z0-9-] starting with a letter or digit, got "
                    + (value == null ? "null" : "'" + value + "'"));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
