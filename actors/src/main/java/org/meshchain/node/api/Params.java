package org.meshchain.node.api;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;

/**
 * Strict parsing of path segments and query parameters: exact hex lengths (lower or upper case, no
 * {@code 0x}), canonical decimal numbers, {@code true}/{@code false}, and no unknown or repeated
 * query parameters. Each failure names the parameter and the rule.
 */
final class Params {

    private static final HexFormat HEX = HexFormat.of();

    private Params() {
    }

    static Hash32 hash32(String name, String value) {
        return Hash32.of(hex(name, value, 32, 32));
    }

    static Address address(String name, String value) {
        return new Address(hash32(name, value));
    }

    /** Hex of {@code min..max} bytes. */
    static byte[] hex(String name, String value, int minBytes, int maxBytes) {
        if (value.length() % 2 != 0 || value.length() / 2 < minBytes || value.length() / 2 > maxBytes) {
            String expected = minBytes == maxBytes ? (2 * minBytes) + " hex characters"
                    : (2 * minBytes) + ".." + (2 * maxBytes) + " hex characters (an even number)";
            throw ApiError.badRequest("invalid_" + name, name + " must be " + expected + ", got " + value.length()
                    + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.digit(value.charAt(i), 16) < 0) {
                throw ApiError.badRequest("invalid_" + name, name + " must be hex (0-9, a-f), found '"
                        + printable(value.charAt(i)) + "' at position " + i);
            }
        }
        return HEX.parseHex(value);
    }

    static Bytes hexBytes(String name, String value, int minBytes, int maxBytes) {
        return Bytes.of(hex(name, value, minBytes, maxBytes));
    }

    /** A canonical decimal u63: digits only, no sign, no leading zero (except "0"), at most 2^63-1. */
    static long height(String name, String value) {
        if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')
                || (value.length() > 1 && value.charAt(0) == '0')) {
            throw ApiError.badRequest("invalid_" + name, name + " must be a decimal number 0..9223372036854775807 without sign "
                    + "or leading zeros, got '" + truncate(value) + "'");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid_" + name, name + " is larger than 9223372036854775807");
        }
    }

    /** Rejects query parameters not in {@code allowed} and any parameter given twice. */
    static void onlyQuery(Map<String, List<String>> query, Set<String> allowed) {
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw ApiError.badRequest("unknown_parameter", "unknown query parameter '" + truncate(e.getKey())
                        + "'; this endpoint takes " + (allowed.isEmpty() ? "none" : String.join(", ", allowed.stream().sorted().toList())));
            }
            if (e.getValue().size() > 1) {
                throw ApiError.badRequest("repeated_parameter", "query parameter '" + e.getKey() + "' given more than once");
            }
        }
    }

    static boolean flag(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null) {
            return false;
        }
        return switch (values.get(0)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiError.badRequest("invalid_" + name, name + " must be true or false, got '"
                    + truncate(values.get(0)) + "'");
        };
    }

    static String truncate(String value) {
        return truncate(value, 80);
    }

    /** {@code value} cut to {@code max} characters with control characters escaped, for error details. */
    static String truncate(String value, int max) {
        String shown = value.length() > max ? value.substring(0, max) + "…" : value;
        StringBuilder b = new StringBuilder(shown.length());
        shown.chars().forEach(c -> b.append(printable((char) c)));
        return b.toString();
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
