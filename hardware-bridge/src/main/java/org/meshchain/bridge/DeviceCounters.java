package org.meshchain.bridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.meshchain.core.types.Address;

/**
 * The last accepted frame counter of every device the bridge has seen, event-sourced on the RocksDB
 * journal ({@code meshchain.persistence.journal}, synced writes) so a replayed frame is rejected after
 * a restart too. Claims arrive in batches (the bridge's group commit): one batch is one journal write,
 * persisted BEFORE the bridge acts on any of its frames. Memory is bounded by {@code maxDevices}
 * (a new device past it gets {@link Outcome#CAPACITY}); replay stays short because the state is
 * snapshotted every {@code snapshotEvery} writes and older events are deleted.
 */
public final class DeviceCounters
        extends EventSourcedBehavior<DeviceCounters.Command, DeviceCounters.Advanced, DeviceCounters.State> {

    public static final String PERSISTENCE_ID = "hardware-bridge-device-counters";
    public static final String JOURNAL_PLUGIN = "meshchain.persistence.journal";
    public static final String SNAPSHOT_PLUGIN = "meshchain.persistence.snapshot-store";

    public sealed interface Command {}

    /** A device's frame asks to advance its counter. */
    public record Claim(Address device, long counter) {
        public Claim {
            Objects.requireNonNull(device, "device");
        }
    }

    /** Advance every claim that is strictly above the device's last counter; reply once durable. */
    public record Advance(List<Claim> claims, ActorRef<Outcomes> replyTo) implements Command {
        public Advance {
            claims = List.copyOf(claims);
        }
    }

    /** The last accepted counter of one device (-1 if none). */
    public record Read(Address device, ActorRef<Long> replyTo) implements Command {}

    public enum Outcome { ACCEPTED, REPLAY, CAPACITY }

    /** One outcome per claim, in claim order, with the device's last counter after the batch. */
    public record Outcomes(List<Outcome> outcomes, List<Long> lastCounters) {}

    /** The event: these devices' counters advanced to these values. */
    public record Advanced(List<Claim> claims) {
        public Advanced {
            claims = List.copyOf(claims);
        }
    }

    /** Mutable state, touched only by the event handler on the actor's thread. */
    public static final class State {
        final Map<Address, Long> last = new HashMap<>();

        long last(Address device) {
            return last.getOrDefault(device, -1L);
        }
    }

    /** Immutable copy handed to the snapshot store (serialized on another thread). */
    public record Snapshot(List<Claim> counters) {
        public Snapshot {
            counters = List.copyOf(counters);
        }
    }

    private final int maxDevices;
    private final int snapshotEvery;

    private DeviceCounters(int maxDevices, int snapshotEvery) {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
        this.maxDevices = maxDevices;
        this.snapshotEvery = snapshotEvery;
    }

    public static Behavior<Command> create(int maxDevices, int snapshotEvery) {
        return new DeviceCounters(maxDevices, snapshotEvery);
    }

    @Override
    public String journalPluginId() {
        return JOURNAL_PLUGIN;
    }

    @Override
    public String snapshotPluginId() {
        return SNAPSHOT_PLUGIN;
    }

    @Override
    public State emptyState() {
        return new State();
    }

    @Override
    public CommandHandler<Command, Advanced, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Advance.class, this::onAdvance)
                .onCommand(Read.class, (state, read) -> Effect().none().thenRun(s -> read.replyTo().tell(s.last(read.device()))))
                .build();
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Advanced, State> onAdvance(State state, Advance advance) {
        Map<Address, Long> overlay = new HashMap<>();
        List<Outcome> outcomes = new ArrayList<>(advance.claims().size());
        List<Claim> accepted = new ArrayList<>();
        int newDevices = 0;
        for (Claim claim : advance.claims()) {
            Long pending = overlay.get(claim.device());
            boolean known = pending != null || state.last.containsKey(claim.device());
            long last = pending != null ? pending : state.last(claim.device());
            if (!known && state.last.size() + newDevices >= maxDevices) {
                outcomes.add(Outcome.CAPACITY);
            } else if (claim.counter() <= last) {
                outcomes.add(Outcome.REPLAY);
            } else {
                if (!known) {
                    newDevices++;
                }
                overlay.put(claim.device(), claim.counter());
                accepted.add(claim);
                outcomes.add(Outcome.ACCEPTED);
            }
        }
        if (accepted.isEmpty()) {
            return Effect().none().thenRun(s -> advance.replyTo().tell(outcomesWithLast(s, advance, outcomes)));
        }
        return Effect().persist(new Advanced(accepted))
                .thenRun(s -> advance.replyTo().tell(outcomesWithLast(s, advance, outcomes)));
    }

    private static Outcomes outcomesWithLast(State state, Advance advance, List<Outcome> outcomes) {
        List<Long> last = new ArrayList<>(advance.claims().size());
        for (Claim claim : advance.claims()) {
            last.add(state.last(claim.device()));
        }
        return new Outcomes(List.copyOf(outcomes), List.copyOf(last));
    }

    @Override
    public EventHandler<State, Advanced> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(Advanced.class, (state, event) -> {
            for (Claim claim : event.claims()) {
                state.last.merge(claim.device(), claim.counter(), Math::max);
            }
            return state;
        }).build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public SnapshotAdapter<State> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                List<Claim> counters = new ArrayList<>(state.last.size());
                state.last.forEach((device, counter) -> counters.add(new Claim(device, counter)));
                return new Snapshot(counters);
            }

            @Override
            public State fromJournal(Object from) {
                State state = new State();
                for (Claim claim : ((Snapshot) from).counters()) {
                    state.last.put(claim.device(), claim.counter());
                }
                return state;
            }
        };
    }
}
