package org.meshchain.persistence.pekko;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Pekko's SnapshotStoreSpec checks, as JUnit 5 tests on a real RocksDB. */
class RocksDbSnapshotStoreTest {

    private static final String PID = "s-1";

    @TempDir
    Path dataDir;

    private ActorSystem system;
    private TestKit probe;
    private ActorRef store;
    private final List<SnapshotMetadata> saved = new ArrayList<>();

    private void start() {
        system = ActorSystem.create("snapshot-test", RocksDbJournalTest.config(dataDir));
        probe = new TestKit(system);
        store = Persistence.get(system).snapshotStoreFor("meshchain.persistence.snapshot-store",
                com.typesafe.config.ConfigFactory.empty());
    }

    @BeforeEach
    void setUp() {
        start();
        for (long seqNr = 10; seqNr <= 50; seqNr += 10) {
            saved.add(save(PID, seqNr, "s-" + seqNr));
            // the store stamps each save with its wall-clock time: keep timestamps distinct so the
            // timestamp criteria below select exactly one snapshot
            sleepPastCurrentMillisecond();
        }
    }

    @AfterEach
    void tearDown() {
        TestKit.shutdownActorSystem(system, Duration.ofSeconds(10), true);
    }

    private static void sleepPastCurrentMillisecond() {
        long now = System.currentTimeMillis();
        while (System.currentTimeMillis() <= now + 1) {
            Thread.onSpinWait();
        }
    }

    /** Saves and returns the metadata as stored (Pekko's snapshot store assigns the timestamp). */
    private SnapshotMetadata save(String pid, long seqNr, Object snapshot) {
        SnapshotMetadata metadata = SnapshotMetadata.apply(pid, seqNr, 0);
        store.tell(new SnapshotProtocol.SaveSnapshot(metadata, snapshot), probe.getRef());
        SnapshotMetadata stored = probe.expectMsgClass(SaveSnapshotSuccess.class).metadata();
        assertThat(stored.persistenceId()).isEqualTo(pid);
        assertThat(stored.sequenceNr()).isEqualTo(seqNr);
        assertThat(stored.timestamp()).isPositive();
        return stored;
    }

    private SelectedSnapshot load(String pid, SnapshotSelectionCriteria criteria) {
        store.tell(new SnapshotProtocol.LoadSnapshot(pid, criteria, Long.MAX_VALUE), probe.getRef());
        SnapshotProtocol.LoadSnapshotResult result = probe.expectMsgClass(SnapshotProtocol.LoadSnapshotResult.class);
        return result.snapshot().isDefined() ? result.snapshot().get() : null;
    }

    @Test
    void loadsNothingForAnUnknownPersistenceIdOrImpossibleCriteria() {
        assertThat(load("unknown", SnapshotSelectionCriteria.Latest())).isNull();
        assertThat(load(PID, SnapshotSelectionCriteria.create(5, Long.MAX_VALUE))).isNull();
        assertThat(load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, saved.get(0).timestamp() - 1))).isNull();
    }

    @Test
    void loadsTheMostRecentSnapshot() {
        SelectedSnapshot latest = load(PID, SnapshotSelectionCriteria.Latest());
        assertThat(latest.metadata()).isEqualTo(saved.get(4));
        assertThat(latest.snapshot()).isEqualTo("s-50");
    }

    @Test
    void loadsTheMostRecentMatchingSequenceNumberAndTimestampBounds() {
        assertThat(load(PID, SnapshotSelectionCriteria.create(35, Long.MAX_VALUE)).snapshot()).isEqualTo("s-30");
        assertThat(load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, saved.get(1).timestamp())).snapshot())
                .isEqualTo("s-20");
        assertThat(load(PID, SnapshotSelectionCriteria.create(40, saved.get(2).timestamp(), 15, 0)).snapshot())
                .isEqualTo("s-30");
        assertThat(load(PID, SnapshotSelectionCriteria.create(40, Long.MAX_VALUE, 41, 0))).isNull();
    }

    @Test
    void deletesOneSnapshotByMetadata() {
        store.tell(new SnapshotProtocol.DeleteSnapshot(saved.get(4)), probe.getRef());
        probe.expectMsgClass(DeleteSnapshotSuccess.class);
        assertThat(load(PID, SnapshotSelectionCriteria.Latest()).snapshot()).isEqualTo("s-40");
    }

    @Test
    void deletesSnapshotsMatchingCriteria() {
        store.tell(new SnapshotProtocol.DeleteSnapshots(PID, SnapshotSelectionCriteria.create(30, Long.MAX_VALUE)),
                probe.getRef());
        probe.expectMsgClass(DeleteSnapshotsSuccess.class);
        assertThat(load(PID, SnapshotSelectionCriteria.create(35, Long.MAX_VALUE))).isNull();
        assertThat(load(PID, SnapshotSelectionCriteria.Latest()).snapshot()).isEqualTo("s-50");
    }

    @Test
    void aLaterSaveAtTheSameSequenceNumberWins() {
        save(PID, 50, "s-50-bis");
        assertThat(load(PID, SnapshotSelectionCriteria.Latest()).snapshot()).isEqualTo("s-50-bis");
    }

    @Test
    void snapshotsSurviveAnActorSystemRestart() {
        TestKit.shutdownActorSystem(system, Duration.ofSeconds(10), true);
        start();
        assertThat(load(PID, SnapshotSelectionCriteria.Latest()).snapshot()).isEqualTo("s-50");
    }
}
