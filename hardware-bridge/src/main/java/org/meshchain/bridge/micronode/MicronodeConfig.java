package org.meshchain.bridge.micronode;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;

/**
 * A micronode's configuration, validated when built: every bad value is a clear error naming the key,
 * the value and the rule (the audit's cases: negative stake, zero block/report time, bad ids).
 */
public record MicronodeConfig(
        ChainId chainId,
        Address deviceId,
        String brokerHost,
        int brokerPort,
        Path dataDir,
        List<Ed25519PublicKey> validators,
        long stake,
        long fee,
        long reportIntervalMs,
        int headerCacheEntries,
        int utxoCacheEntries,
        int maxPendingFrames,
        boolean followHeaders,
        long headerPersistIntervalMs) {

    public MicronodeConfig {
        Objects.requireNonNull(dataDir, "micronode.data-dir: must be set");
        validators = List.copyOf(validators);
    }

    /** Builds and validates; {@code deviceIdHex} must be the address of the device key. */
    public static MicronodeConfig of(String chainId, String deviceIdHex, Ed25519PublicKey deviceKey, String brokerUrl, Path dataDir,
            List<Ed25519PublicKey> validators, long stake, long fee, long reportIntervalMs, int headerCacheEntries,
            int utxoCacheEntries, int maxPendingFrames) {
        ChainId chain;
        try {
            chain = new ChainId(chainId);
        } catch (IllegalArgumentException e) {
            throw error("chain-id", chainId, e.getMessage());
        }
        if (deviceIdHex == null || !deviceIdHex.matches("[0-9a-f]{64}")) {
            throw error("device-id", deviceIdHex, "must be 64 lower-case hex digits (the device's address)");
        }
        Address device = Address.fromHex(deviceIdHex);
        if (!device.equals(Address.of(deviceKey))) {
            throw error("device-id", deviceIdHex, "is not the address of the device key " + deviceKey.toHex());
        }
        URI uri;
        try {
            uri = new URI(brokerUrl);
        } catch (Exception e) {
            throw error("broker", brokerUrl, "must be tcp://host:port");
        }
        if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            throw error("broker", brokerUrl, "must be tcp://host:port with a port in 1..65535");
        }
        if (validators.isEmpty()) {
            throw error("validators", "[]", "the device must be provisioned with the validator set it trusts");
        }
        for (Ed25519PublicKey key : validators) {
            if (!Ed25519.isValidPublicKey(key)) {
                throw error("validators", key.toHex(), "not a valid Ed25519 public key");
            }
        }
        if (validators.stream().distinct().count() != validators.size()) {
            throw error("validators", validators.size() + " keys", "must not repeat a key");
        }
        if (stake < 0) {
            throw error("stake", stake, "must not be negative");
        }
        if (fee < 0) {
            throw error("fee", fee, "must not be negative");
        }
        if (reportIntervalMs <= 0) {
            throw error("report-interval-ms", reportIntervalMs, "must be greater than zero");
        }
        if (headerCacheEntries < 1 || headerCacheEntries > 10_000) {
            throw error("header-cache-entries", headerCacheEntries, "must be in 1..10000");
        }
        if (utxoCacheEntries < 1 || utxoCacheEntries > 100_000) {
            throw error("utxo-cache-entries", utxoCacheEntries, "must be in 1..100000");
        }
        if (maxPendingFrames < 1 || maxPendingFrames > 100_000) {
            throw error("max-pending-frames", maxPendingFrames, "must be in 1..100000");
        }
        return new MicronodeConfig(chain, device, uri.getHost(), uri.getPort(), dataDir, validators, stake, fee,
                reportIntervalMs, headerCacheEntries, utxoCacheEntries, maxPendingFrames, true, 10_000);
    }

    /** Whether to subscribe to the retained headers topic (a fleet benchmark turns it off to measure the bridge alone). */
    public MicronodeConfig withFollowHeaders(boolean follow) {
        return new MicronodeConfig(chainId, deviceId, brokerHost, brokerPort, dataDir, validators, stake, fee, reportIntervalMs,
                headerCacheEntries, utxoCacheEntries, maxPendingFrames, follow, headerPersistIntervalMs);
    }

    /** How often a newer trusted header is written to flash (flash wear: not on every block; 0 = every header). */
    public MicronodeConfig withHeaderPersistIntervalMs(long intervalMs) {
        if (intervalMs < 0) {
            throw error("header-persist-interval-ms", intervalMs, "must not be negative");
        }
        return new MicronodeConfig(chainId, deviceId, brokerHost, brokerPort, dataDir, validators, stake, fee, reportIntervalMs,
                headerCacheEntries, utxoCacheEntries, maxPendingFrames, followHeaders, intervalMs);
    }

    public ValidatorSet validatorSet() {
        return new ValidatorSet(validators);
    }

    private static IllegalArgumentException error(String key, Object value, String rule) {
        return new IllegalArgumentException("micronode." + key + " = " + value + ": " + rule);
    }
}
