package org.meshchain.persistence.chain;

/**
 * Storage settings, validated on construction (errors name the key, the value and the rule).
 *
 * @param quotaBytes        disk the store may use; at the limit it refuses commits
 * @param highWaterFraction past {@code quota × this}, old blocks beyond the retention window are pruned
 * @param retentionBlocks   blocks always kept below the head
 * @param maxBlockBytes     largest encoded block accepted
 * @param blockCacheBytes   RocksDB block cache shared by all column families
 */
public record ChainStoreConfig(long quotaBytes, double highWaterFraction, long retentionBlocks, int maxBlockBytes,
        long blockCacheBytes) {

    public static final ChainStoreConfig DEFAULT =
            new ChainStoreConfig(100L << 30, 0.8, 100_000, 16 << 20, 64L << 20);

    public ChainStoreConfig {
        require(quotaBytes >= (1L << 20), "storage.quota-bytes", quotaBytes, "must be at least 1 MiB");
        require(highWaterFraction > 0 && highWaterFraction < 1, "storage.high-water-fraction", highWaterFraction,
                "must be in (0, 1)");
        require(retentionBlocks >= 1, "storage.retention-blocks", retentionBlocks, "must be at least 1");
        require(maxBlockBytes >= 1024, "storage.max-block-bytes", maxBlockBytes, "must be at least 1024");
        require(blockCacheBytes >= 0, "storage.block-cache-bytes", blockCacheBytes, "must not be negative");
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(key + " = " + value + ": " + rule);
        }
    }

    public ChainStoreConfig withQuotaBytes(long quota) {
        return new ChainStoreConfig(quota, highWaterFraction, retentionBlocks, maxBlockBytes, blockCacheBytes);
    }

    public ChainStoreConfig withRetentionBlocks(long retention) {
        return new ChainStoreConfig(quotaBytes, highWaterFraction, retention, maxBlockBytes, blockCacheBytes);
    }

    public ChainStoreConfig withMaxBlockBytes(int max) {
        return new ChainStoreConfig(quotaBytes, highWaterFraction, retentionBlocks, max, blockCacheBytes);
    }
}
