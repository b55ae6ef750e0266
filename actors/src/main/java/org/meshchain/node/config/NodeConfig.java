package org.meshchain.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.meshchain.core.types.Address;
import org.meshchain.node.wire.WireCodec;

/**
 * The node's typed configuration, read from HOCON under {@code meshchain.node} (defaults in the
 * actors module's reference.conf) and validated before anything starts. Every error names the key,
 * the value and the rule ({@link ConfigError}).
 */
public record NodeConfig(
        Path dataDirectory,
        Path keyFile,
        Path passphraseFile,
        Path genesisFile,
        String host,
        int port,
        List<String> seedNodes,
        List<PeerAddress> peers,
        Consensus consensus,
        Mempool mempool,
        Peers peerLimits,
        Storage storage,
        int executors,
        Tls tls,
        Sync sync,
        int verifiedSignatureCache) {

    public static final String ROOT = "meshchain.node";

    /** Where another validator listens (its Artery host and port), by its address. */
    public record PeerAddress(Address validator, String host, int port) {}

    public record Consensus(Duration baseTimeout, Duration timeoutRebroadcast, Duration minBlockInterval,
            int maxBlockTransactions, int maxBlockBytes, int maxSyncBlocks, int syncLagBlocks) {}

    /**
     * @param maxInFlightSubmissions submissions (API, bridge, CLI) waiting for the mempool actor at once;
     *                               more are refused at once with {@code busy} (ADR 0068)
     */
    public record Mempool(int capacity, int maxPerSender, int maxNonceGap, int maxTxBytes, int gossipBatch,
            Duration gossipInterval, int proposalBatch, int maxInFlightSubmissions) {}

    /**
     * Per-peer protection (DESIGN 5.3).
     *
     * @param rates       messages per second per kind (token bucket refill)
     * @param bursts      bucket capacity per kind
     */
    public record Peers(int maxMessageBytes, Map<WireCodec.Kind, Double> rates, Map<WireCodec.Kind, Integer> bursts,
            double initialScore, double banThreshold, Duration banDuration, double recoveryPerSecond,
            Map<String, Double> penalties, int outboundQueue) {}

    /**
     * Bulk sync (ADR 0040): switch from consensus to fetching certified blocks when a peer's verified
     * certificate is more than {@code farBehindBlocks} above our committed head.
     *
     * @param farBehindBlocks   lag that starts bulk sync; consensus takes over again within it
     * @param batchBlocks       blocks asked per request, and the most a served response carries
     * @param maxInFlight       requests outstanding at once (to different peers where possible)
     * @param maxBufferedBlocks verified-later blocks held in memory ahead of execution
     * @param requestTimeout    a request unanswered this long drops that peer for the session
     */
    public record Sync(int farBehindBlocks, int batchBlocks, int maxInFlight, int maxBufferedBlocks, Duration requestTimeout) {}

    public record Storage(long quotaBytes, long retentionBlocks, long blockCacheBytes) {}

    /** Mutual TLS between validators (Artery tls-tcp); null fields when disabled. */
    public record Tls(boolean enabled, Path keyStore, Path trustStore, Path passwordFile) {}

    public static NodeConfig from(Config root) {
        Config c;
        try {
            c = root.getConfig(ROOT);
        } catch (ConfigException e) {
            throw new ConfigError(ROOT, "missing", "the node's configuration section must be present");
        }
        Reader r = new Reader(c);
        Path data = r.path("data-dir");
        Path key = r.path("key-file");
        Path passphrase = r.optionalPath("passphrase-file");
        Path genesis = r.path("genesis-file");
        String host = r.string("cluster.host");
        int port = r.intIn("cluster.port", 0, 65535);
        List<String> seeds = r.stringList("cluster.seed-nodes");
        for (int i = 0; i < seeds.size(); i++) {
            if (!seeds.get(i).matches("[^:\\s]+:\\d{1,5}")) {
                throw new ConfigError(ROOT + ".cluster.seed-nodes[" + i + "]", seeds.get(i), "must be host:port");
            }
        }
        List<PeerAddress> peers = new ArrayList<>();
        List<? extends Config> peerList = r.configList("cluster.peers");
        for (int i = 0; i < peerList.size(); i++) {
            Reader p = new Reader(peerList.get(i), ROOT + ".cluster.peers[" + i + "].");
            String hex = p.string("validator");
            Address address;
            try {
                address = Address.fromHex(hex);
            } catch (RuntimeException e) {
                throw new ConfigError(ROOT + ".cluster.peers[" + i + "].validator", hex, "must be a validator address (64 hex digits)");
            }
            peers.add(new PeerAddress(address, p.string("host"), p.intIn("port", 1, 65535)));
        }
        Consensus consensus = new Consensus(
                r.durationIn("consensus.base-timeout", Duration.ofMillis(100), Duration.ofMinutes(1)),
                r.durationIn("consensus.timeout-rebroadcast", Duration.ofMillis(100), Duration.ofMinutes(1)),
                r.durationIn("consensus.min-block-interval", Duration.ZERO, Duration.ofSeconds(30)),
                r.intIn("consensus.max-block-transactions", 1, 5_000),
                r.intIn("consensus.max-block-bytes", 1024, 3 << 20),
                r.intIn("consensus.max-sync-blocks", 1, 100),
                r.intIn("consensus.sync-lag-blocks", 1, 10_000));
        Mempool mempool = new Mempool(
                r.intIn("mempool.capacity", 1, 10_000_000),
                r.intIn("mempool.max-per-sender", 1, 10_000_000),
                r.intIn("mempool.max-nonce-gap", 0, 100_000),
                r.intIn("mempool.max-tx-bytes", 256, 1 << 20),
                r.intIn("mempool.gossip-batch", 1, 5_000),
                r.durationIn("mempool.gossip-interval", Duration.ofMillis(5), Duration.ofSeconds(10)),
                r.intIn("mempool.proposal-batch", 1, 50_000),
                r.intIn("mempool.max-in-flight-submissions", 1, 1_000_000));
        if (mempool.maxPerSender() > mempool.capacity()) {
            throw new ConfigError(ROOT + ".mempool.max-per-sender", mempool.maxPerSender(),
                    "must not exceed mempool.capacity (" + mempool.capacity() + ")");
        }
        Map<WireCodec.Kind, Double> rates = new EnumMap<>(WireCodec.Kind.class);
        Map<WireCodec.Kind, Integer> bursts = new EnumMap<>(WireCodec.Kind.class);
        for (WireCodec.Kind kind : WireCodec.Kind.values()) {
            String name = kind.name().toLowerCase().replace('_', '-');
            rates.put(kind, r.doubleIn("peers.rate-per-second." + name, 0.1, 1_000_000));
            bursts.put(kind, r.intIn("peers.burst." + name, 1, 1_000_000));
        }
        Map<String, Double> penalties = new java.util.TreeMap<>();
        for (String kind : List.of("invalid-signature", "equivocation", "malformed", "oversized", "flood", "protocol")) {
            penalties.put(kind, r.doubleIn("peers.penalty." + kind, 0, 1_000_000));
        }
        double initial = r.doubleIn("peers.initial-score", 1, 1_000_000);
        double threshold = r.doubleIn("peers.ban-threshold", -1_000_000, 1_000_000);
        if (threshold >= initial) {
            throw new ConfigError(ROOT + ".peers.ban-threshold", threshold, "must be below peers.initial-score (" + initial + ")");
        }
        Peers peerLimits = new Peers(
                r.intIn("peers.max-message-bytes", 1024, 16 << 20), rates, bursts, initial, threshold,
                r.durationIn("peers.ban-duration", Duration.ofSeconds(1), Duration.ofDays(7)),
                r.doubleIn("peers.recovery-per-second", 0, 1_000_000), penalties,
                r.intIn("peers.outbound-queue", 1, 100_000));
        if (peerLimits.maxMessageBytes() < consensus.maxBlockBytes() + 4096) {
            throw new ConfigError(ROOT + ".peers.max-message-bytes", peerLimits.maxMessageBytes(),
                    "must exceed consensus.max-block-bytes + 4096 (" + (consensus.maxBlockBytes() + 4096) + ")");
        }
        Storage storage = new Storage(
                r.longIn("storage.quota-bytes", 1L << 20, Long.MAX_VALUE),
                r.longIn("storage.retention-blocks", 1, Long.MAX_VALUE),
                r.longIn("storage.block-cache-bytes", 0, 1L << 40));
        int executors = r.intIn("execution.executors", 0, 256);
        int verifiedSignatureCache = r.intIn("execution.verified-signature-cache", 0, 10_000_000);
        Sync sync = new Sync(
                r.intIn("sync.far-behind-blocks", 2, 1_000_000),
                r.intIn("sync.batch-blocks", 1, 1_000),
                r.intIn("sync.max-in-flight", 1, 64),
                r.intIn("sync.max-buffered-blocks", 1, 100_000),
                r.durationIn("sync.request-timeout", Duration.ofMillis(100), Duration.ofMinutes(10)));
        if (sync.maxBufferedBlocks() < sync.batchBlocks() * sync.maxInFlight()) {
            throw new ConfigError(ROOT + ".sync.max-buffered-blocks", sync.maxBufferedBlocks(),
                    "must be at least sync.batch-blocks x sync.max-in-flight (" + sync.batchBlocks() * sync.maxInFlight() + ")");
        }
        Tls tls = new Tls(false, null, null, null);
        if (r.bool("tls.enabled")) {
            tls = new Tls(true, r.readableFile("tls.key-store"), r.readableFile("tls.trust-store"),
                    r.readableFile("tls.password-file"));
        }
        return new NodeConfig(data, key, passphrase, genesis, host, port, List.copyOf(seeds), List.copyOf(peers), consensus,
                mempool, peerLimits, storage, executors, tls, sync, verifiedSignatureCache);
    }

    /** Reads keys with the full key path in errors. */
    private static final class Reader {
        private final Config c;
        private final String prefix;

        Reader(Config c) {
            this(c, ROOT + ".");
        }

        Reader(Config c, String prefix) {
            this.c = c;
            this.prefix = prefix;
        }

        private <T> T get(String key, java.util.function.Supplier<T> read, String rule) {
            try {
                return read.get();
            } catch (ConfigException.Missing e) {
                throw new ConfigError(prefix + key, "missing", "must be set");
            } catch (ConfigException e) {
                Object raw = c.hasPathOrNull(key) && !c.getIsNull(key) ? c.getValue(key).unwrapped() : "null";
                throw new ConfigError(prefix + key, raw, rule);
            }
        }

        String string(String key) {
            String value = get(key, () -> c.getString(key), "must be a string");
            if (value.isBlank()) {
                throw new ConfigError(prefix + key, "\"" + value + "\"", "must not be empty");
            }
            return value;
        }

        Path path(String key) {
            String value = string(key);
            try {
                return Path.of(value);
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigError(prefix + key, value, "must be a file system path");
            }
        }

        Path optionalPath(String key) {
            if (!c.hasPath(key)) {
                return null;
            }
            return path(key);
        }

        boolean bool(String key) {
            return get(key, () -> c.getBoolean(key), "must be on or off");
        }

        Path readableFile(String key) {
            Path path = path(key);
            if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
                throw new ConfigError(prefix + key, path, "must be a readable file");
            }
            return path;
        }

        List<String> stringList(String key) {
            return get(key, () -> c.getStringList(key), "must be a list of strings");
        }

        List<? extends Config> configList(String key) {
            return get(key, () -> c.getConfigList(key), "must be a list of objects");
        }

        int intIn(String key, int min, int max) {
            int value = get(key, () -> c.getInt(key), "must be an integer");
            if (value < min || value > max) {
                throw new ConfigError(prefix + key, value, "must be in " + min + ".." + max);
            }
            return value;
        }

        long longIn(String key, long min, long max) {
            long value = get(key, () -> c.getBytes(key), "must be a number of bytes (e.g. 100m, 1g) or an integer");
            if (value < min || value > max) {
                throw new ConfigError(prefix + key, value, "must be in " + min + ".." + max);
            }
            return value;
        }

        double doubleIn(String key, double min, double max) {
            double value = get(key, () -> c.getDouble(key), "must be a number");
            if (!(value >= min && value <= max)) {
                throw new ConfigError(prefix + key, value, "must be in " + min + ".." + max);
            }
            return value;
        }

        Duration durationIn(String key, Duration min, Duration max) {
            Duration value = get(key, () -> c.getDuration(key), "must be a duration (e.g. 500ms, 2s)");
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new ConfigError(prefix + key, c.getValue(key).unwrapped(), "must be between " + min + " and " + max);
            }
            return value;
        }
    }
}
