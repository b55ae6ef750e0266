package org.meshchain.bridge;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.ChainMessages;
import org.meshchain.bridge.protocol.DeviceFrame;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.mempool.MempoolRejection;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.node.port.SubmitOutcome;
import org.slf4j.Logger;

/**
 * The hardware bridge (DESIGN 6): an MQTT client of the broker that turns device frames into
 * transactions and chain commits into retained certified headers.
 *
 * <p>Per frame: the stateless checks (size, decode, registry, signature, own transaction) run on
 * {@code validation-threads}; this actor then applies the per-device token bucket and hands the
 * counter claims to {@link DeviceCounters} in batches (one synced journal write per batch, at most one
 * write in flight: group commit). Only after a claim is durable does the bridge submit the
 * transaction (or serve the proof request). Every frame gets exactly one reply on the device's reply
 * topic; admitted transactions get a second one, COMMITTED, when their block commits.
 *
 * <p>Nothing here waits on the broker or the node: MQTT and node calls are asynchronous, and every
 * queue is bounded ({@code max-in-flight-frames}, {@code max-awaiting-commit}, {@code max-devices}).
 * Broker loss is normal: the client reconnects with backoff and resubscribes; replies that cannot be
 * sent while disconnected are dropped and counted (the device retries with a new counter).
 */
public final class HardwareBridgeActor extends AbstractBehavior<HardwareBridgeActor.Command> {

    public sealed interface Command {}

    /** Test and operator probe: the counter store's last counter for a device. */
    public record ReadCounter(Address device, ActorRef<Long> replyTo) implements Command {}

    private record Validated(FrameValidator.Result result) implements Command {}

    private record StatusSeen(Address device, boolean online) implements Command {}

    private record CountersDone(List<FrameValidator.Passed> batch, DeviceCounters.Outcomes outcomes, Throwable failure)
            implements Command {}

    private record Submitted(FrameValidator.Passed frame, Hash32 txId, SubmitOutcome outcome, Throwable failure,
            int attempt) implements Command {}

    /** A frame the node refused as {@code busy} (it took nothing), offered to it again. */
    private record RetrySubmit(FrameValidator.Passed frame, SignedTransaction transaction, int attempt) implements Command {}

    /**
     * The node's {@code busy} is transient back-pressure from this same process: the bridge keeps the
     * frame (it still holds its in-flight slot, so the bridge's own bound still applies) and offers it
     * again, rather than making a battery-powered device re-sign and resend it. After this many
     * offers, 25 ms apart (about 2 s), the device gets UNAVAILABLE and retries with a new counter.
     */
    private static final int BUSY_SUBMIT_ATTEMPTS = 80;
    private static final Duration BUSY_RETRY_DELAY = Duration.ofMillis(25);

    private record ProofsDone(FrameValidator.Passed frame, List<StateProofResult> results, Throwable failure)
            implements Command {}

    private record Committed(CommittedBlock block) implements Command {}

    private enum Connected implements Command { INSTANCE }

    /** A frame's validation (counted in flight, unlike status messages). */
    private record FrameTask(Runnable body) implements Runnable {
        @Override
        public void run() {
            body.run();
        }
    }

    private record AwaitingCommit(Address device, long counter, long receivedNanos) {}

    private static final Duration COUNTER_TIMEOUT = Duration.ofSeconds(10);
    private static final int RECENTLY_COMMITTED = 65_536;

    private final BridgeConfig config;
    private final NodeServices services;
    private final BridgeShared shared;
    /** Submissions handed to the node and not answered yet (at most {@code max-submissions-in-flight}). */
    private int submissionsInFlight;
    /** Submissions waiting for a place, oldest first. */
    private final ArrayDeque<RetrySubmit> waitingSubmissions = new ArrayDeque<>();
    private final DeviceTopics topics;
    private final FrameValidator[] validators;
    private final TokenBuckets buckets;
    private final ActorRef<DeviceCounters.Command> counters;
    private final ThreadPoolExecutor[] validation;
    private final MqttLink mqtt;
    private final AutoCloseable commitSubscription;
    private final Logger log;
    private final Map<Hash32, AwaitingCommit> awaitingCommit;
    /**
     * Ids of recently committed transactions with their height: a block can commit before the mempool's
     * admission answer reaches this actor (the two race), and the device must still get COMMITTED.
     */
    private final Map<Hash32, Long> recentlyCommitted;
    private List<FrameValidator.Passed> pending = new ArrayList<>();
    private boolean counterWriteInFlight;
    private Optional<CertifiedHeader> latestHeader;

    public static Behavior<Command> create(BridgeConfig config, NodeServices services, BridgeShared shared) {
        return Behaviors.setup(ctx -> new HardwareBridgeActor(ctx, config, services, shared));
    }

    private HardwareBridgeActor(ActorContext<Command> ctx, BridgeConfig config, NodeServices services, BridgeShared shared) {
        super(ctx);
        this.config = config;
        this.services = services;
        this.shared = shared;
        this.log = ctx.getLog();
        this.topics = new DeviceTopics(services.chainId());
        // one validator per shard: each keeps its own validated-key cache, touched by one thread only
        this.validators = new FrameValidator[config.validationThreads()];
        for (int i = 0; i < validators.length; i++) {
            validators[i] = new FrameValidator(services, config.maxFrameBytes(),
                    Math.max(16, Math.min(config.maxDevices(), 65_536) / config.validationThreads()));
        }
        this.buckets = new TokenBuckets(config.framesPerSecond(), config.burst(), config.maxDevices());
        this.awaitingCommit = new LinkedHashMap<>(4096, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash32, AwaitingCommit> eldest) {
                return size() > config.maxAwaitingCommit();
            }
        };
        this.recentlyCommitted = new LinkedHashMap<>(4096, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash32, Long> eldest) {
                return size() > RECENTLY_COMMITTED;
            }
        };
        this.counters = ctx.spawn(Behaviors.supervise(DeviceCounters.create(config.maxDevices(), config.counterSnapshotEvery()))
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                "device-counters");
        // One single-threaded shard per validation thread, chosen by device: frames of one device stay in
        // arrival order (their counters must), different devices validate in parallel.
        this.validation = new ThreadPoolExecutor[config.validationThreads()];
        int queuePerShard = config.maxInFlightFrames() / config.validationThreads() + 16;
        for (int i = 0; i < validation.length; i++) {
            String name = "bridge-validation-" + i;
            validation[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queuePerShard), r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            }, (task, pool) -> {
                if (task instanceof FrameTask) {
                    shared.inFlight.decrementAndGet();
                }
                shared.rejected.inc(ReplyCode.OVERLOADED.label());
            });
        }
        ActorRef<Command> self = ctx.getSelf();
        this.latestHeader = services.latestCertifiedHeader();
        this.mqtt = MqttLink.create(config, new MqttLink.Listener() {
            @Override
            public void connected() {
                shared.connected.set(true);
                self.tell(Connected.INSTANCE);
            }

            @Override
            public void disconnected(Throwable cause) {
                if (shared.connected.getAndSet(false)) {
                    shared.disconnects.inc();
                }
            }
        }, (topic, payload) -> onPublish(self, topic, payload));
        this.commitSubscription = services.subscribeCommits(block -> self.tell(new Committed(block)));
        mqtt.connect().whenComplete((ok, failure) -> {
            if (failure != null) {
                // automatic reconnect keeps trying with backoff; nothing waits for it
                log.warn("MQTT broker {}:{} not reachable yet: {}", config.brokerHost(), config.brokerPort(), failure.toString());
            }
        });
    }

    /** On the MQTT client's I/O thread: parse the topic, bound, and hand the frame to its device's shard. */
    private void onPublish(ActorRef<Command> self, String topic, byte[] payload) {
        long received = System.nanoTime();
        Optional<DeviceTopics.Parsed> parsed = topics.parseInbound(topic);
        if (parsed.isEmpty()) {
            shared.rejected.inc("bad_topic");
            return;
        }
        if (parsed.get().channel() == DeviceTopics.Inbound.STATUS) {
            Address device = parsed.get().device();
            int shard = Math.floorMod(device.hash().hashCode(), validation.length);
            validation[shard].execute(() -> onStatus(self, validators[shard], device, payload));
            return;
        }
        if (shared.inFlight.incrementAndGet() > config.maxInFlightFrames()) {
            shared.inFlight.decrementAndGet();
            shared.rejected.inc(ReplyCode.OVERLOADED.label());
            reply(parsed.get().device(), BridgeReply.of(0, ReplyCode.OVERLOADED, "bridge busy"));
            return;
        }
        DeviceTopics.Parsed p = parsed.get();
        int shard = Math.floorMod(p.device().hash().hashCode(), validation.length);
        validation[shard].execute(new FrameTask(() -> self.tell(new Validated(checkSafely(validators[shard], p, payload, received)))));
    }

    /** Bad input never escapes as an exception: anything unforeseen is answered as malformed. */
    private static FrameValidator.Result checkSafely(FrameValidator validator, DeviceTopics.Parsed topic, byte[] payload,
            long received) {
        try {
            return validator.check(topic, payload, received);
        } catch (RuntimeException e) {
            return new FrameValidator.Refused(topic.device(), 0, ReplyCode.MALFORMED, "rejected: " + e.getClass().getSimpleName(), false);
        }
    }

    private void onStatus(ActorRef<Command> self, FrameValidator validator, Address device, byte[] payload) {
        // one ASCII digit: '1' birth (online), '0' last will (offline) — easy from firmware and CLI tools alike
        if (payload.length != 1 || (payload[0] != '0' && payload[0] != '1')) {
            shared.rejected.inc("bad_status");
            return;
        }
        try {
            if (validator.registered(device).isPresent()) {
                self.tell(new StatusSeen(device, payload[0] == '1'));
            }
        } catch (Exception e) {
            shared.rejected.inc("bad_status");
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Validated.class, this::onValidated)
                .onMessage(CountersDone.class, this::onCountersDone)
                .onMessage(Submitted.class, this::onSubmitted)
                .onMessage(RetrySubmit.class, this::onRetrySubmit)
                .onMessage(ProofsDone.class, this::onProofsDone)
                .onMessage(Committed.class, this::onCommitted)
                .onMessage(StatusSeen.class, this::onStatusSeen)
                .onMessage(Connected.class, c -> onConnected())
                .onMessage(ReadCounter.class, this::onReadCounter)
                .onSignal(PostStop.class, this::onStop)
                .onSignal(PreRestart.class, this::onStop)
                .build();
    }

    private Behavior<Command> onConnected() {
        log.info("MQTT connected to {}:{}; subscribing", config.brokerHost(), config.brokerPort());
        mqtt.subscribe(List.of(topics.subscription(DeviceTopics.Inbound.TX), topics.subscription(DeviceTopics.Inbound.REPORT),
                        topics.subscription(DeviceTopics.Inbound.PROOF_REQUEST), topics.subscription(DeviceTopics.Inbound.STATUS)))
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        log.warn("MQTT subscribe failed (retried on the next connect): {}", failure.toString());
                    }
                });
        latestHeader.ifPresent(this::publishHeader);
        return this;
    }

    private Behavior<Command> onValidated(Validated v) {
        switch (v.result()) {
            case FrameValidator.Refused r -> finish(r.device(), r.counter(), r.code(), Optional.empty(), r.detail(), r.registered());
            case FrameValidator.Passed p -> {
                if (!buckets.tryTake(p.device(), System.nanoTime())) {
                    finish(p.device(), p.frame().counter(), ReplyCode.RATE_LIMITED, Optional.empty(),
                            "over " + config.framesPerSecond() + " frames/s", true);
                } else {
                    pending.add(p);
                    flushCounters();
                }
            }
        }
        return this;
    }

    /** Group commit: one journal write at a time carries every claim that arrived meanwhile. */
    private void flushCounters() {
        if (counterWriteInFlight || pending.isEmpty()) {
            return;
        }
        List<FrameValidator.Passed> batch;
        if (pending.size() <= config.counterBatchMax()) {
            batch = pending;
            pending = new ArrayList<>();
        } else {
            batch = new ArrayList<>(pending.subList(0, config.counterBatchMax()));
            pending = new ArrayList<>(pending.subList(config.counterBatchMax(), pending.size()));
        }
        List<DeviceCounters.Claim> claims = new ArrayList<>(batch.size());
        for (FrameValidator.Passed p : batch) {
            claims.add(new DeviceCounters.Claim(p.device(), p.frame().counter()));
        }
        counterWriteInFlight = true;
        getContext().ask(DeviceCounters.Outcomes.class, counters, COUNTER_TIMEOUT,
                replyTo -> new DeviceCounters.Advance(claims, replyTo),
                (outcomes, failure) -> new CountersDone(batch, outcomes, failure));
    }

    private Behavior<Command> onCountersDone(CountersDone done) {
        counterWriteInFlight = false;
        if (done.failure() != null) {
            log.warn("device counter journal write failed for {} frames: {}", done.batch().size(), done.failure().toString());
        }
        for (int i = 0; i < done.batch().size(); i++) {
            FrameValidator.Passed p = done.batch().get(i);
            long counter = p.frame().counter();
            if (done.failure() != null) {
                finish(p.device(), counter, ReplyCode.UNAVAILABLE, Optional.empty(), "counter store unavailable", true);
                continue;
            }
            switch (done.outcomes().outcomes().get(i)) {
                case REPLAY -> finish(p.device(), counter, ReplyCode.REPLAY, Optional.empty(),
                        "last accepted counter " + done.outcomes().lastCounters().get(i), true);
                case CAPACITY -> finish(p.device(), counter, ReplyCode.CAPACITY, Optional.empty(), "bridge device limit", true);
                case ACCEPTED -> act(p);
            }
        }
        flushCounters();
        return this;
    }

    private void act(FrameValidator.Passed p) {
        switch (p.frame().body()) {
            case DeviceFrame.Transaction t -> submit(p, t.transaction(), 1);
            case DeviceFrame.Report r -> submit(p, r.transaction(), 1);
            case DeviceFrame.ProofRequest request -> {
                List<CompletableFuture<StateProofResult>> proofs = new ArrayList<>();
                for (Hash32 path : request.paths()) {
                    proofs.add(safely(() -> services.proveState(path)).toCompletableFuture());
                }
                getContext().pipeToSelf(CompletableFuture.allOf(proofs.toArray(CompletableFuture[]::new))
                                .thenApply(ok -> proofs.stream().map(CompletableFuture::join).toList()),
                        (results, failure) -> new ProofsDone(p, results, failure));
            }
        }
    }

    /**
     * Hands {@code tx} to the node, or queues it (arrival order) while {@code max-submissions-in-flight}
     * are unanswered. The queue holds frames already counted in {@code max-in-flight-frames}, so it
     * needs no bound of its own (ADR 0071).
     */
    private void submit(FrameValidator.Passed p, SignedTransaction tx, int attempt) {
        if (submissionsInFlight >= config.maxSubmissionsInFlight()) {
            waitingSubmissions.addLast(new RetrySubmit(p, tx, attempt));
            return;
        }
        submissionsInFlight++;
        Hash32 txId = tx.id();
        getContext().pipeToSelf(safely(() -> services.submitTransaction(tx)),
                (outcome, failure) -> new Submitted(p, txId, outcome, failure, attempt));
    }

    /** After an answer: the next waiting submissions take the freed places. */
    private void submitWaiting() {
        while (submissionsInFlight < config.maxSubmissionsInFlight() && !waitingSubmissions.isEmpty()) {
            RetrySubmit next = waitingSubmissions.pollFirst();
            submit(next.frame(), next.transaction(), next.attempt());
        }
    }

    private Behavior<Command> onRetrySubmit(RetrySubmit r) {
        submit(r.frame(), r.transaction(), r.attempt());
        return this;
    }

    /** A node call that throws instead of failing its stage still ends as a failed stage (never kills the actor). */
    private static <T> CompletionStage<T> safely(java.util.function.Supplier<CompletionStage<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Behavior<Command> onSubmitted(Submitted s) {
        submissionsInFlight--;
        try {
            answerSubmitted(s);
        } finally {
            submitWaiting();
        }
        return this;
    }

    private void answerSubmitted(Submitted s) {
        long counter = s.frame().frame().counter();
        if (s.failure() != null) {
            finish(s.frame().device(), counter, ReplyCode.UNAVAILABLE, Optional.of(s.txId()), "node did not take it", true);
        } else if (s.outcome() instanceof SubmitOutcome.Rejected rejected && rejected.reason() instanceof MempoolRejection.Busy
                && s.attempt() < BUSY_SUBMIT_ATTEMPTS) {
            SignedTransaction tx = switch (s.frame().frame().body()) {
                case DeviceFrame.Transaction t -> t.transaction();
                case DeviceFrame.Report r -> r.transaction();
                case DeviceFrame.ProofRequest ignored -> throw new IllegalStateException("a proof request is never submitted");
            };
            shared.busyResubmits.inc();
            getContext().scheduleOnce(BUSY_RETRY_DELAY, getContext().getSelf(), new RetrySubmit(s.frame(), tx, s.attempt() + 1));
        } else if (s.outcome() instanceof SubmitOutcome.Rejected rejected && rejected.reason() instanceof MempoolRejection.Busy) {
            // the node stayed at its submission limit and took nothing: the device may retry with a new counter
            finish(s.frame().device(), counter, ReplyCode.UNAVAILABLE, Optional.of(s.txId()), rejected.reason().describe(), true);
        } else if (s.outcome() instanceof SubmitOutcome.Rejected rejected) {
            finish(s.frame().device(), counter, ReplyCode.MEMPOOL_REJECTED, Optional.of(s.txId()), rejected.reason().toString(), true);
        } else {
            finish(s.frame().device(), counter, ReplyCode.ACCEPTED, Optional.of(s.txId()), "", true);
            Long height = recentlyCommitted.get(s.txId());
            if (height != null) {
                committed(new AwaitingCommit(s.frame().device(), counter, s.frame().receivedNanos()), s.txId(), height, System.nanoTime());
            } else {
                awaitingCommit.put(s.txId(), new AwaitingCommit(s.frame().device(), counter, s.frame().receivedNanos()));
            }
        }
    }

    private Behavior<Command> onProofsDone(ProofsDone done) {
        long counter = done.frame().frame().counter();
        Address device = done.frame().device();
        if (done.failure() != null || done.results().isEmpty()) {
            finish(device, counter, ReplyCode.UNAVAILABLE, Optional.empty(), "no certified state to prove against", true);
            return this;
        }
        // All proofs must be against one certified header; if a commit slipped in between, answer with the first's.
        CertifiedHeader header = done.results().get(0).header();
        List<ChainMessages.ProvedValue> values = new ArrayList<>();
        for (StateProofResult r : done.results()) {
            if (!r.header().header().id().equals(header.header().id())) {
                finish(device, counter, ReplyCode.UNAVAILABLE, Optional.empty(), "chain moved during the request; retry", true);
                return this;
            }
            values.add(new ChainMessages.ProvedValue(r.path(), r.value(), r.proof()));
        }
        publish(topics.proof(device), new ChainMessages.ProofReply(counter, header, values).encode(), false);
        finish(device, counter, ReplyCode.ACCEPTED, Optional.empty(), "proof sent", true);
        return this;
    }

    private Behavior<Command> onCommitted(Committed c) {
        long now = System.nanoTime();
        long height = c.block().block().header().height();
        for (SignedTransaction tx : c.block().block().transactions()) {
            Hash32 id = tx.id();
            AwaitingCommit waiting = awaitingCommit.remove(id);
            if (waiting != null) {
                committed(waiting, id, height, now);
            } else {
                recentlyCommitted.put(id, height);
            }
        }
        CertifiedHeader header = new CertifiedHeader(c.block().block().header(), c.block().certificate());
        latestHeader = Optional.of(header);
        publishHeader(header);
        return this;
    }

    private void committed(AwaitingCommit waiting, Hash32 txId, long height, long now) {
        shared.commitLatency.observe((now - waiting.receivedNanos()) / 1e9);
        reply(waiting.device(), new BridgeReply(waiting.counter(), ReplyCode.COMMITTED, Optional.of(txId), "height " + height));
    }

    private Behavior<Command> onStatusSeen(StatusSeen s) {
        shared.directory.status(s.device(), s.online(), Instant.now());
        return this;
    }

    private Behavior<Command> onReadCounter(ReadCounter read) {
        counters.tell(new DeviceCounters.Read(read.device(), read.replyTo()));
        return this;
    }

    /** The one place a frame's processing ends: reply, metrics, directory, in-flight bound. */
    private void finish(Address device, long counter, ReplyCode code, Optional<Hash32> txId, String detail, boolean registered) {
        shared.inFlight.decrementAndGet();
        Instant now = Instant.now();
        if (code.isRejection()) {
            shared.rejected.inc(code.label());
            if (registered) {
                shared.directory.rejected(device, now);
            }
        } else {
            shared.accepted.inc();
            shared.directory.accepted(device, counter, now);
        }
        reply(device, new BridgeReply(counter, code, txId, detail));
    }

    private void reply(Address device, BridgeReply reply) {
        publish(topics.reply(device), reply.encode(), false);
    }

    private void publishHeader(CertifiedHeader header) {
        publish(topics.headers(), ChainMessages.encodeHeader(header), true);
    }

    /** Fire and forget, bounded: while disconnected (or past the bound) the message is dropped and counted. */
    private void publish(String topic, byte[] payload, boolean retain) {
        if (!mqtt.isConnected() || shared.publishesInFlight.incrementAndGet() > config.maxInFlightFrames()) {
            if (mqtt.isConnected()) {
                shared.publishesInFlight.decrementAndGet();
            }
            shared.publishDropped.inc();
            return;
        }
        mqtt.publish(topic, payload, retain).whenComplete((ok, failure) -> {
            shared.publishesInFlight.decrementAndGet();
            if (failure != null) {
                shared.publishDropped.inc();
            }
        });
    }

    private Behavior<Command> onStop(Signal signal) {
        try {
            commitSubscription.close();
        } catch (Exception e) {
            log.warn("closing the commit subscription failed: {}", e.toString());
        }
        shared.connected.set(false);
        mqtt.disconnect().exceptionally(e -> null);
        for (ThreadPoolExecutor shard : validation) {
            shard.shutdown();
        }
        shared.inFlight.set(0);
        shared.publishesInFlight.set(0);
        return this;
    }

}
