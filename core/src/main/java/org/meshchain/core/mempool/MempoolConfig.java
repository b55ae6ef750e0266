package org.meshchain.core.mempool;

import org.meshchain.core.types.ChainId;

/**
 * Pool limits. Validated on construction; errors name the key, the value and the rule.
 *
 * @param capacity        most transactions held (default 100,000)
 * @param maxPerSender    most pending transactions of one sender, so one account cannot fill the pool
 * @param maxNonceGap     how far past the next nonce a transaction may be queued
 * @param maxTxBytes      largest encoded transaction admitted
 */
public record MempoolConfig(ChainId chainId, int capacity, int maxPerSender, int maxNonceGap, int maxTxBytes) {

    public static MempoolConfig defaults(ChainId chainId) {
        return new MempoolConfig(chainId, 100_000, 1_000, 64, 512 * 1024);
    }

    public MempoolConfig {
        if (chainId == null) {
            throw new IllegalArgumentException("mempool.chain-id: must be set");
        }
        require(capacity >= 1, "mempool.capacity", capacity, "must be at least 1");
        require(maxPerSender >= 1 && maxPerSender <= capacity, "mempool.max-per-sender", maxPerSender,
                "must be in 1..capacity (" + capacity + ")");
        require(maxNonceGap >= 0, "mempool.max-nonce-gap", maxNonceGap, "must not be negative");
        require(maxTxBytes >= 256, "mempool.max-tx-bytes", maxTxBytes, "must be at least 256");
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(key + " = " + value + ": " + rule);
        }
    }
}
