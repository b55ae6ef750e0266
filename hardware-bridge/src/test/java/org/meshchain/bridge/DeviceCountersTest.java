package org.meshchain.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.bridge.DeviceCounters.Claim;
import org.meshchain.bridge.DeviceCounters.Outcome;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;

/** The counter store on the real RocksDB journal: replay, in-batch order, capacity bound, recovery. */
class DeviceCountersTest {

    @TempDir
    Path dir;

    private Config config() {
        return ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                meshchain.persistence.journal.dir = "%s/journal"
                meshchain.persistence.snapshot-store.dir = "%s/snapshots"
                """.formatted(dir, dir)).withFallback(ConfigFactory.load());
    }

    private static Address device(int i) {
        return new Address(Hashing.sha256(new byte[] {(byte) i}));
    }

    @Test
    void batchesAreDecidedInOrderBoundedAndRecovered() {
        ActorTestKit kit = ActorTestKit.create("counters-1", config());
        try {
            ActorRef<DeviceCounters.Command> counters = kit.spawn(DeviceCounters.create(2, 3));
            TestProbe<DeviceCounters.Outcomes> probe = kit.createTestProbe();
            counters.tell(new DeviceCounters.Advance(List.of(new Claim(device(1), 5), new Claim(device(1), 5),
                    new Claim(device(1), 6), new Claim(device(2), 1), new Claim(device(3), 1), new Claim(device(1), 2)), probe.getRef()));
            DeviceCounters.Outcomes first = probe.receiveMessage();
            assertThat(first.outcomes()).containsExactly(Outcome.ACCEPTED, Outcome.REPLAY, Outcome.ACCEPTED, Outcome.ACCEPTED,
                    Outcome.CAPACITY, Outcome.REPLAY);
            assertThat(first.lastCounters()).containsExactly(6L, 6L, 6L, 1L, -1L, 6L);
            for (int i = 0; i < 5; i++) { // several writes: snapshots every 3 with older events deleted
                counters.tell(new DeviceCounters.Advance(List.of(new Claim(device(2), 10 + i)), probe.getRef()));
                assertThat(probe.receiveMessage().outcomes()).containsExactly(Outcome.ACCEPTED);
            }
        } finally {
            kit.shutdownTestKit();
        }
        ActorTestKit again = ActorTestKit.create("counters-2", config());
        try {
            ActorRef<DeviceCounters.Command> counters = again.spawn(DeviceCounters.create(2, 3));
            TestProbe<Long> read = again.createTestProbe();
            counters.tell(new DeviceCounters.Read(device(1), read.getRef()));
            assertThat(read.receiveMessage()).isEqualTo(6L);
            counters.tell(new DeviceCounters.Read(device(2), read.getRef()));
            assertThat(read.receiveMessage()).isEqualTo(14L);
            counters.tell(new DeviceCounters.Read(device(3), read.getRef()));
            assertThat(read.receiveMessage()).isEqualTo(-1L);
            TestProbe<DeviceCounters.Outcomes> probe = again.createTestProbe();
            counters.tell(new DeviceCounters.Advance(List.of(new Claim(device(2), 14), new Claim(device(3), 1)), probe.getRef()));
            assertThat(probe.receiveMessage().outcomes()).containsExactly(Outcome.REPLAY, Outcome.CAPACITY);
        } finally {
            again.shutdownTestKit();
        }
    }

    @Test
    void tokenBucketsRefillAtTheirRateAndStayBounded() {
        TokenBuckets buckets = new TokenBuckets(2, 3, 2);
        long t = 1_000_000_000L;
        assertThat(buckets.tryTake(device(1), t)).isTrue();
        assertThat(buckets.tryTake(device(1), t)).isTrue();
        assertThat(buckets.tryTake(device(1), t)).isTrue();
        assertThat(buckets.tryTake(device(1), t)).isFalse();
        assertThat(buckets.tryTake(device(1), t + 400_000_000L)).isFalse(); // 0.8 token
        assertThat(buckets.tryTake(device(1), t + 500_000_000L)).isTrue(); // 1.0 token
        buckets.tryTake(device(2), t);
        buckets.tryTake(device(3), t);
        assertThat(buckets.size()).isEqualTo(2);
    }
}
