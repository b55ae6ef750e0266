package org.meshchain.persistence.pekko;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What Pekko's journal TCK (JournalSpec) checks, as JUnit 5 tests against a real RocksDB on disk:
 * write/replay order, replay ranges and max, highest sequence number (also after deletes), deletes,
 * atomic multi-event writes, rejection of non-serializable events without failing the batch, and
 * recovery after the ActorSystem restarts on the same directory.
 */
class RocksDbJournalTest {

    private static final String PID = "p-1";
    private static final int INSTANCE = 1;

    @TempDir
    Path dataDir;

    private ActorSystem system;
    private TestKit probe;
    private ActorRef journal;
    private final String writerUuid = UUID.randomUUID().toString();

    static Config config(Path dir) {
        return ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.persistence.journal.plugin = "meshchain.persistence.journal"
                pekko.persistence.snapshot-store.plugin = "meshchain.persistence.snapshot-store"
                meshchain.persistence.journal.dir = "%s/journal"
                meshchain.persistence.snapshot-store.dir = "%s/snapshots"
                meshchain.persistence.journal.max-message-bytes = 4096
                """.formatted(dir, dir)).withFallback(ConfigFactory.load());
    }

    private void start() {
        system = ActorSystem.create("journal-test", config(dataDir));
        probe = new TestKit(system);
        journal = Persistence.get(system).journalFor("meshchain.persistence.journal", ConfigFactory.empty());
    }

    private void stop() {
        TestKit.shutdownActorSystem(system, Duration.ofSeconds(10), true);
    }

    @BeforeEach
    void setUp() {
        start();
        writeMessages(1, 5, PID);
    }

    @AfterEach
    void tearDown() {
        stop();
    }

    private PersistentRepr repr(Object payload, long seqNr, String pid) {
        return PersistentRepr.apply(payload, seqNr, pid, "", false, probe.getRef(), writerUuid);
    }

    private void write(List<AtomicWrite> writes) {
        List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(), probe.getRef(), INSTANCE),
                ActorRef.noSender());
    }

    private void writeMessages(long from, long to, String pid) {
        List<AtomicWrite> writes = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            writes.add(AtomicWrite.apply(repr("a-" + i, i, pid)));
        }
        write(writes);
        probe.expectMsgEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
        for (long i = from; i <= to; i++) {
            JournalProtocol.WriteMessageSuccess success = probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class);
            assertThat(success.persistent().sequenceNr()).isEqualTo(i);
            assertThat(success.persistent().payload()).isEqualTo("a-" + i);
        }
    }

    /** Replays and returns the sequence numbers received, checking the RecoverySuccess highest. */
    private List<Long> replay(long from, long to, long max, String pid, long expectedHighest) {
        journal.tell(new JournalProtocol.ReplayMessages(from, to, max, pid, probe.getRef()), ActorRef.noSender());
        List<Long> seen = new ArrayList<>();
        while (true) {
            Object message = probe.expectMsgAnyClassOf(Duration.ofSeconds(5),
                    JournalProtocol.ReplayedMessage.class, JournalProtocol.RecoverySuccess.class,
                    JournalProtocol.ReplayMessagesFailure.class);
            if (message instanceof JournalProtocol.ReplayedMessage replayed) {
                PersistentRepr p = replayed.persistent();
                assertThat(p.persistenceId()).isEqualTo(pid);
                assertThat(p.payload()).isEqualTo("a-" + p.sequenceNr());
                assertThat(p.writerUuid()).isEqualTo(writerUuid);
                seen.add(p.sequenceNr());
            } else if (message instanceof JournalProtocol.RecoverySuccess success) {
                assertThat(success.highestSequenceNr()).isEqualTo(expectedHighest);
                return seen;
            } else {
                throw new AssertionError("replay failed: " + message);
            }
        }
    }

    @Test
    void replaysAllMessagesInOrder() {
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void replaysRangesAndRespectsMax() {
        assertThat(replay(3, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).containsExactly(3L, 4L, 5L);
        assertThat(replay(1, 3, Long.MAX_VALUE, PID, 5)).containsExactly(1L, 2L, 3L);
        assertThat(replay(1, Long.MAX_VALUE, 3, PID, 5)).containsExactly(1L, 2L, 3L);
        assertThat(replay(2, 3, Long.MAX_VALUE, PID, 5)).containsExactly(2L, 3L);
        assertThat(replay(2, 2, Long.MAX_VALUE, PID, 5)).containsExactly(2L);
        assertThat(replay(2, 4, 0, PID, 5)).isEmpty();
        assertThat(replay(6, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).isEmpty();
        assertThat(replay(3, 2, Long.MAX_VALUE, PID, 5)).isEmpty();
    }

    @Test
    void unknownPersistenceIdReplaysNothingWithHighestZero() {
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, "unknown", 0)).isEmpty();
    }

    @Test
    void persistenceIdsDoNotLeakIntoEachOther() {
        writeMessages(1, 2, "p-10");
        writeMessages(1, 1, "p");
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, "p-10", 2)).containsExactly(1L, 2L);
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, "p", 1)).containsExactly(1L);
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void deletesUpToASequenceNumberAndKeepsTheHighest() {
        journal.tell(new JournalProtocol.DeleteMessagesTo(PID, 3, probe.getRef()), ActorRef.noSender());
        assertThat(probe.expectMsgClass(DeleteMessagesSuccess.class).toSequenceNr()).isEqualTo(3);
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).containsExactly(4L, 5L);

        // deleting everything must not reset the highest sequence number
        journal.tell(new JournalProtocol.DeleteMessagesTo(PID, Long.MAX_VALUE, probe.getRef()), ActorRef.noSender());
        probe.expectMsgClass(DeleteMessagesSuccess.class);
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).isEmpty();
    }

    @Test
    void atomicMultiEventWriteIsReplayedWhole() {
        write(List.of(AtomicWrite.apply(CollectionConverters.asScala(
                List.of(repr("a-6", 6, PID), repr("a-7", 7, PID), repr("a-8", 8, PID))).toList())));
        probe.expectMsgEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
        for (long i = 6; i <= 8; i++) {
            assertThat(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent().sequenceNr()).isEqualTo(i);
        }
        assertThat(replay(6, Long.MAX_VALUE, Long.MAX_VALUE, PID, 8)).containsExactly(6L, 7L, 8L);
    }

    /** No serializer is bound to this class (and Java serialization is off), so the journal must reject it. */
    static final class NotSerializable {
    }

    @Test
    void rejectsANonSerializableEventWithoutFailingTheBatch() {
        write(List.of(
                AtomicWrite.apply(repr("a-6", 6, PID)),
                AtomicWrite.apply(CollectionConverters.asScala(
                        List.of(repr("a-7", 7, PID), repr(new NotSerializable(), 8, PID))).toList()),
                AtomicWrite.apply(repr("a-9", 9, PID))));
        probe.expectMsgEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
        assertThat(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent().sequenceNr()).isEqualTo(6);
        // the whole second AtomicWrite is rejected: neither 7 nor 8 is stored
        assertThat(probe.expectMsgClass(JournalProtocol.WriteMessageRejected.class).message().sequenceNr()).isEqualTo(7);
        assertThat(probe.expectMsgClass(JournalProtocol.WriteMessageRejected.class).message().sequenceNr()).isEqualTo(8);
        assertThat(probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class).persistent().sequenceNr()).isEqualTo(9);
        assertThat(replay(6, Long.MAX_VALUE, Long.MAX_VALUE, PID, 9)).containsExactly(6L, 9L);
    }

    @Test
    void rejectsAnOversizedEvent() {
        write(List.of(AtomicWrite.apply(repr("x".repeat(5000), 6, PID))));
        probe.expectMsgEquals(JournalProtocol.WriteMessagesSuccessful$.MODULE$);
        JournalProtocol.WriteMessageRejected rejected = probe.expectMsgClass(JournalProtocol.WriteMessageRejected.class);
        assertThat(rejected.cause()).hasMessageContaining("max-message-bytes");
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).hasSize(5);
    }

    @Test
    void recoversEverythingAfterTheActorSystemRestartsOnTheSameDirectory() {
        journal.tell(new JournalProtocol.DeleteMessagesTo(PID, 2, probe.getRef()), ActorRef.noSender());
        probe.expectMsgClass(DeleteMessagesSuccess.class);
        stop();
        start();
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 5)).containsExactly(3L, 4L, 5L);
        writeMessages(6, 6, PID);
        assertThat(replay(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, 6)).containsExactly(3L, 4L, 5L, 6L);
    }
}
