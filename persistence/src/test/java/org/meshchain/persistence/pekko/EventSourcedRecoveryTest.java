package org.meshchain.persistence.pekko;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event-sourced actor (the shape of the consensus safety state) on both plugins: it recovers its
 * state from snapshot + events after the whole ActorSystem is restarted on the same directories.
 */
class EventSourcedRecoveryTest {

    @TempDir
    Path dataDir;

    sealed interface Command {
    }

    record Append(String value, ActorRef<List<String>> replyTo) implements Command {
    }

    record Read(ActorRef<List<String>> replyTo) implements Command {
    }

    static final class Log extends EventSourcedBehavior<Command, String, ArrayList<String>> {

        private Log(String id) {
            super(PersistenceId.ofUniqueId(id));
        }

        static Behavior<Command> create(String id) {
            return new Log(id);
        }

        @Override
        public ArrayList<String> emptyState() {
            return new ArrayList<>();
        }

        @Override
        public CommandHandler<Command, String, ArrayList<String>> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Append.class, (state, cmd) -> Effect().persist(cmd.value())
                            .thenRun(newState -> cmd.replyTo().tell(List.copyOf(newState))))
                    .onCommand(Read.class, (state, cmd) -> Effect().none()
                            .thenRun(s -> cmd.replyTo().tell(List.copyOf(s))))
                    .build();
        }

        @Override
        public EventHandler<ArrayList<String>, String> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onEvent(String.class, (state, event) -> {
                state.add(event);
                return state;
            }).build();
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            // snapshot every 3 events, so recovery uses a snapshot plus the events after it
            return RetentionCriteria.snapshotEvery(3, 2);
        }
    }

    @Test
    void stateIsRecoveredAfterRestart() {
        ActorTestKit first = ActorTestKit.create("first", RocksDbJournalTest.config(dataDir));
        try {
            TestProbe<List<String>> probe = first.createTestProbe();
            ActorRef<Command> log = first.spawn(Log.create("log-1"));
            for (int i = 1; i <= 7; i++) {
                log.tell(new Append("e" + i, probe.getRef()));
                assertThat(probe.receiveMessage()).hasSize(i);
            }
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = ActorTestKit.create("second", RocksDbJournalTest.config(dataDir));
        try {
            TestProbe<List<String>> probe = second.createTestProbe();
            ActorRef<Command> log = second.spawn(Log.create("log-1"));
            log.tell(new Read(probe.getRef()));
            assertThat(probe.receiveMessage()).containsExactly("e1", "e2", "e3", "e4", "e5", "e6", "e7");
            log.tell(new Append("e8", probe.getRef()));
            assertThat(probe.receiveMessage()).endsWith("e7", "e8");
        } finally {
            second.shutdownTestKit();
        }
    }
}
