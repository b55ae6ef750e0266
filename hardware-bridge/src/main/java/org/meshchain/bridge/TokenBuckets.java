package org.meshchain.bridge;

import java.util.LinkedHashMap;
import java.util.Map;
import org.meshchain.core.types.Address;

/**
 * Per-device token buckets ({@code rate} tokens per second up to {@code burst}). At most
 * {@code maxDevices} buckets are kept, least recently used first out; a device past that bound is
 * refused by the counter store anyway (CAPACITY). Single-threaded (the bridge actor owns it).
 */
final class TokenBuckets {

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(double tokens, long lastNanos) {
            this.tokens = tokens;
            this.lastNanos = lastNanos;
        }
    }

    private final double perNano;
    private final int burst;
    private final Map<Address, Bucket> buckets;

    TokenBuckets(double framesPerSecond, int burst, int maxDevices) {
        this.perNano = framesPerSecond / 1e9;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Address, Bucket> eldest) {
                return size() > maxDevices;
            }
        };
    }

    /** Takes one token from {@code device}'s bucket; false if it is empty. */
    boolean tryTake(Address device, long nowNanos) {
        Bucket b = buckets.get(device);
        if (b == null) {
            b = new Bucket(burst, nowNanos);
            buckets.put(device, b);
        } else {
            long elapsed = Math.max(0, nowNanos - b.lastNanos);
            b.tokens = Math.min(burst, b.tokens + elapsed * perNano);
            b.lastNanos = nowNanos;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    int size() {
        return buckets.size();
    }
}
