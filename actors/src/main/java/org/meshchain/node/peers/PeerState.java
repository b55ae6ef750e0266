package org.meshchain.node.peers;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.meshchain.core.types.Address;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.wire.WireCodec;

/**
 * How this node rates one other validator: score, ban and rate-limit buckets. Owned by the
 * PeerManager and handed to each incarnation of the peer's actor, so a restart of that actor (after a
 * poisoned message) neither forgets a ban nor refills the buckets. Synchronized: the API reads it.
 */
public final class PeerState {

    private final Address validator;
    private final NodeConfig.Peers limits;
    private final Map<WireCodec.Kind, TokenBucket> buckets = new EnumMap<>(WireCodec.Kind.class);
    private double score;
    private long scoreUpdatedNanos;
    private long bannedUntilMillis;
    private long lastValidMessageMillis;
    private long bans;

    PeerState(Address validator, NodeConfig.Peers limits) {
        this.validator = validator;
        this.limits = limits;
        long now = System.nanoTime();
        for (WireCodec.Kind kind : WireCodec.Kind.values()) {
            buckets.put(kind, new TokenBucket(limits.rates().get(kind), limits.bursts().get(kind), now));
        }
        this.score = limits.initialScore();
        this.scoreUpdatedNanos = now;
    }

    public Address validator() {
        return validator;
    }

    synchronized boolean banned(long nowMillis) {
        return nowMillis < bannedUntilMillis;
    }

    synchronized boolean takeToken(WireCodec.Kind kind) {
        return buckets.get(kind).tryTake(System.nanoTime());
    }

    /** Lowers the score; returns true when this penalty started a ban. */
    synchronized boolean penalize(double amount, long nowMillis) {
        recover();
        score -= amount;
        if (score < limits.banThreshold() && nowMillis >= bannedUntilMillis) {
            bannedUntilMillis = nowMillis + limits.banDuration().toMillis();
            bans++;
            // after the ban the peer starts half-way back, so a repeat offender is banned again quickly
            score = limits.banThreshold() + (limits.initialScore() - limits.banThreshold()) / 2;
            return true;
        }
        return false;
    }

    synchronized void validMessage(long nowMillis) {
        lastValidMessageMillis = nowMillis;
    }

    private void recover() {
        long now = System.nanoTime();
        double seconds = (now - scoreUpdatedNanos) / 1e9;
        scoreUpdatedNanos = now;
        score = Math.min(limits.initialScore(), score + seconds * limits.recoveryPerSecond());
    }

    public synchronized double score() {
        recover();
        return score;
    }

    public synchronized long bans() {
        return bans;
    }

    public synchronized PeerInfo info(long nowMillis) {
        recover();
        Optional<Instant> until = nowMillis < bannedUntilMillis ? Optional.of(Instant.ofEpochMilli(bannedUntilMillis))
                : Optional.empty();
        return new PeerInfo(validator, nowMillis - lastValidMessageMillis < 10_000, score, until);
    }
}
