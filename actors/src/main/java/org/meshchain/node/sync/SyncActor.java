package org.meshchain.node.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.peers.PeerManager;
import org.meshchain.persistence.chain.ChainStore;

/**
 * Bulk sync (DESIGN 5.4, ADR 0040). Serves committed blocks with their certificates to peers (bounded
 * per response), and, when a peer shows a valid certificate more than {@code sync.far-behind-blocks}
 * above this node's committed head, takes over from consensus: tells the consensus actor to stop
 * (no votes, no timers), fetches certified blocks from several peers in bounded, pipelined batches,
 * verifies each batch (2f+1 signatures, block id = hash, parent links, tx root), commits only blocks
 * a 2-chain proves committed, re-executes each one and checks the certified state and receipt roots
 * before handing it to the storage actor, then hands back to consensus once within half the threshold.
 * A peer that serves an invalid batch or does not answer is penalised and not asked again this session.
 */
public final class SyncActor extends AbstractBehavior<SyncActor.Command> {

    public sealed interface Command {}

    /** A bulk sync message from another validator (its envelope was verified by its PeerActor). */
    public record FromPeer(Address from, BulkSyncMessage message) implements Command {}

    /** A certificate another validator showed consensus (unverified; checked here when it matters). */
    public record PeerCertified(Address from, QuorumCertificate certificate) implements Command {}

    /** The store committed a block (whoever asked for it). */
    public record StoreCommitted(long height, Hash32 blockId) implements Command {}

    /** Consensus has stopped and finished what it had in flight: the store is ours to write. */
    public record ConsensusPaused() implements Command {}

    /** What consensus must do when told (the LeaderActor's commands, kept abstract to avoid a cycle). */
    public interface Consensus {
        /** Stop voting and timers, finish in-flight work, then tell {@code replyTo} {@link ConsensusPaused}. */
        void pause(ActorRef<Command> replyTo);

        /** Rebuild from the store's head and start again (round timers re-armed). */
        void resume();
    }

    /** Where committed blocks go (the storage actor). */
    public interface Committer {
        void commit(Block block, QuorumCertificate certificate, ExecutedBlock executed);
    }

    /** Published for readiness and the status API. */
    public interface Status {
        void bulkSyncing(boolean syncing);

        void sessionStarted();

        void blockCommitted();

        void rejected(String reason);
    }

    private record Tick() implements Command {}

    private record Executed(BulkSyncMessage.CertifiedBlock block, ExecutedBlock result) implements Command {}

    private record ExecutionFailed(BulkSyncMessage.CertifiedBlock block, Throwable cause) implements Command {}

    private record InFlight(Address peer, long fromHeight, int count, long sentNanos) {}

    private record Buffered(BulkSyncMessage.CertifiedBlock block, Address origin) {}

    private static final long EXECUTION_TIMEOUT_SECONDS = 60;
    private static final Duration TICK = Duration.ofMillis(200);
    /** Room in a response for the envelope and encoding overhead. */
    private static final int RESPONSE_MARGIN_BYTES = 64 * 1024;

    private final ActorContext<Command> context;
    private final NodeConfig.Sync config;
    private final Address self;
    private final List<Address> others = new ArrayList<>();
    private final ChainStore chain;
    private final BlockExecutor executor;
    private final CertifiedBlocks checks;
    private final ActorRef<PeerManager.Command> peers;
    private final Consensus consensus;
    private final Committer committer;
    private final Status status;
    private final int maxResponseBytes;

    private boolean syncing;
    private boolean consensusPaused;
    /** Highest height a verified certificate proved exists. */
    private long target;
    private long nextRequestHeight;
    private final Map<Address, InFlight> inFlight = new HashMap<>();
    private final TreeMap<Long, Buffered> buffer = new TreeMap<>();
    private final Set<Address> dropped = new HashSet<>();
    /** Peers that had nothing from some height on (not penalised: they are simply not further). */
    private final Map<Address, Long> exhaustedAt = new HashMap<>();
    private int nextPeer;
    private BulkSyncMessage.CertifiedBlock executing;
    private BulkSyncMessage.CertifiedBlock committing;

    public static Behavior<Command> create(NodeConfig.Sync config, int maxMessageBytes, ChainId chainId, ValidatorSet validators,
            Address self, ChainStore chain, BlockExecutor executor, ActorRef<PeerManager.Command> peers, Consensus consensus,
            Committer committer, Status status, java.util.function.BooleanSupplier wasSyncing) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> new SyncActor(ctx, timers, config, maxMessageBytes,
                chainId, validators, self, chain, executor, peers, consensus, committer, status, wasSyncing)));
    }

    private SyncActor(ActorContext<Command> context, TimerScheduler<Command> timers, NodeConfig.Sync config, int maxMessageBytes,
            ChainId chainId, ValidatorSet validators, Address self, ChainStore chain, BlockExecutor executor,
            ActorRef<PeerManager.Command> peers, Consensus consensus, Committer committer, Status status,
            java.util.function.BooleanSupplier wasSyncing) {
        super(context);
        this.context = context;
        this.config = config;
        this.self = self;
        this.chain = chain;
        this.executor = executor;
        this.checks = new CertifiedBlocks(chainId, validators);
        this.peers = peers;
        this.consensus = consensus;
        this.committer = committer;
        this.status = status;
        this.maxResponseBytes = maxMessageBytes - RESPONSE_MARGIN_BYTES;
        for (Address validator : validators.addresses()) {
            if (!validator.equals(self)) {
                others.add(validator);
            }
        }
        if (wasSyncing.getAsBoolean()) {
            // restarted by supervision in the middle of a session: its state is gone, so hand back to
            // consensus (which rebuilds from the store); a peer's next certificate starts a new session
            context.getLog().warn("sync actor restarted during bulk sync: handing back to consensus");
            status.bulkSyncing(false);
            consensus.resume();
        }
        timers.startTimerWithFixedDelay(new Tick(), TICK);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FromPeer.class, this::onFromPeer)
                .onMessage(PeerCertified.class, this::onPeerCertified)
                .onMessage(StoreCommitted.class, this::onStoreCommitted)
                .onMessage(ConsensusPaused.class, p -> {
                    consensusPaused = true;
                    return progress();
                })
                .onMessage(Executed.class, this::onExecuted)
                .onMessage(ExecutionFailed.class, f -> {
                    throw new IllegalStateException("bulk sync: execution of block " + f.block().block().id() + " failed", f.cause());
                })
                .onMessage(Tick.class, t -> onTick())
                .build();
    }

    private long head() {
        return chain.head().map(ChainStore.Head::height).orElse(0L);
    }

    private Hash32 headId() {
        return chain.head().map(ChainStore.Head::blockId).orElseThrow();
    }

    // ------------------------------------------------------------------ serving

    private Behavior<Command> onFromPeer(FromPeer message) {
        return switch (message.message()) {
            case BulkSyncMessage.Request r -> serve(message.from(), r);
            case BulkSyncMessage.Response r -> onResponse(message.from(), r);
        };
    }

    /** Bounded work: at most batch-blocks blocks and one message's bytes; requests are rate-limited by the PeerActor. */
    private Behavior<Command> serve(Address to, BulkSyncMessage.Request request) {
        long head = head();
        int limit = Math.min(request.maxBlocks(), config.batchBlocks());
        List<BulkSyncMessage.CertifiedBlock> blocks = new ArrayList<>();
        long bytes = 0;
        for (long h = request.fromHeight(); h <= head && blocks.size() < limit; h++) {
            Block block = chain.blockAt(h).orElse(null);
            QuorumCertificate qc = chain.certificateAt(h).orElse(null);
            if (block == null || qc == null) {
                break; // pruned below the retention window
            }
            bytes += DomainCodecs.encode(block).length + 128L + 96L * qc.signatures().size();
            if (bytes > maxResponseBytes && !blocks.isEmpty()) {
                break;
            }
            blocks.add(new BulkSyncMessage.CertifiedBlock(block, qc));
        }
        peers.tell(new PeerManager.SendBulkSync(to, new BulkSyncMessage.Response(request.fromHeight(), blocks, head)));
        return this;
    }

    // ------------------------------------------------------------------ detecting "far behind"

    private Behavior<Command> onPeerCertified(PeerCertified seen) {
        long height = seen.certificate().voteData().height();
        if (height <= target || height <= head() + config.farBehindBlocks()) {
            return this;
        }
        if (!checks.verifyCertificate(seen.certificate())) {
            return this; // consensus reports and penalises invalid certificates itself
        }
        target = height;
        if (!syncing) {
            startSession(seen.from());
        }
        return progress();
    }

    private void startSession(Address trigger) {
        syncing = true;
        consensusPaused = false;
        dropped.clear();
        exhaustedAt.clear();
        buffer.clear();
        nextRequestHeight = head() + 1;
        context.getLog().info("far behind: committed height {}, {} showed a certificate at {}; switching to bulk sync",
                head(), trigger, target);
        status.bulkSyncing(true);
        status.sessionStarted();
        consensus.pause(context.getSelf());
    }

    private void finishSession() {
        context.getLog().info("bulk sync done at committed height {} (network at least {}); handing back to consensus",
                head(), target);
        syncing = false;
        consensusPaused = false;
        inFlight.clear();
        buffer.clear();
        status.bulkSyncing(false);
        consensus.resume();
    }

    // ------------------------------------------------------------------ fetching

    private Behavior<Command> onResponse(Address from, BulkSyncMessage.Response response) {
        InFlight asked = inFlight.get(from);
        if (asked == null || asked.fromHeight() != response.fromHeight()) {
            if (!syncing) {
                return this; // a late answer after the session ended
            }
            reject(from, "unsolicited", "protocol", "response from " + response.fromHeight() + " that was not asked for");
            return progress();
        }
        inFlight.remove(from);
        List<BulkSyncMessage.CertifiedBlock> blocks = response.blocks();
        CertifiedBlocks.Problem problem = checks.check(response.fromHeight(), asked.count(), blocks);
        if (problem != null) {
            reject(from, problem.reason(), problem.penalty(), problem.detail());
            return progress();
        }
        if (blocks.isEmpty()) {
            exhaustedAt.put(from, response.fromHeight());
            return progress();
        }
        exhaustedAt.remove(from);
        long head = head();
        for (BulkSyncMessage.CertifiedBlock b : blocks) {
            long h = b.block().header().height();
            if (h > head && buffer.size() < config.maxBufferedBlocks()) {
                buffer.putIfAbsent(h, new Buffered(b, from));
            }
            target = Math.max(target, h);
        }
        return progress();
    }

    private void reject(Address peer, String reason, String penalty, String detail) {
        context.getLog().warn("bulk sync: dropping validator {} for this session: {} ({})", peer, reason, detail);
        status.rejected(reason);
        dropped.add(peer);
        inFlight.remove(peer); // its range becomes a gap, asked of another peer
        buffer.values().removeIf(b -> b.origin().equals(peer));
        peers.tell(new PeerManager.PenalizeSync(peer, penalty, reason + ": " + detail));
    }

    private Behavior<Command> onTick() {
        if (!syncing) {
            return this;
        }
        long now = System.nanoTime();
        for (InFlight f : List.copyOf(inFlight.values())) {
            if (now - f.sentNanos() > config.requestTimeout().toNanos()) {
                reject(f.peer(), "timeout", "protocol", "no answer within " + config.requestTimeout());
            }
        }
        if (committing != null && head() >= committing.block().header().height()) {
            committing = null; // the store already had it (consensus committed it first)
        }
        if (inFlight.isEmpty()) {
            exhaustedAt.clear(); // peers move on: ask them again
        }
        return progress();
    }

    /** Sends requests while the pipeline has room; executes what is proven; hands back when close enough. */
    private Behavior<Command> progress() {
        if (!syncing) {
            return this;
        }
        long head = head();
        buffer.headMap(head, true).clear();
        if (nextRequestHeight <= head) {
            nextRequestHeight = head + 1;
        }
        executeNext(head);
        if (executing == null && committing == null && consensusPaused && target - head <= config.farBehindBlocks() / 2) {
            finishSession();
            return this;
        }
        fillRequests(head);
        return this;
    }

    private void fillRequests(long head) {
        if (dropped.size() >= others.size()) {
            dropped.clear(); // every peer failed once: try them all again rather than stall
        }
        while (inFlight.size() < config.maxInFlight()) {
            int requestedBlocks = inFlight.values().stream().mapToInt(InFlight::count).sum();
            if (buffer.size() + requestedBlocks + config.batchBlocks() > config.maxBufferedBlocks()) {
                return;
            }
            long[] range = nextRange(head);
            if (range == null) {
                return;
            }
            Address peer = pickPeer(range[0]);
            if (peer == null) {
                if (range[0] + range[1] == nextRequestHeight && range[1] == config.batchBlocks()) {
                    nextRequestHeight = range[0]; // not sent: give the fresh batch back
                }
                return;
            }
            inFlight.put(peer, new InFlight(peer, range[0], (int) range[1], System.nanoTime()));
            peers.tell(new PeerManager.SendBulkSync(peer, new BulkSyncMessage.Request(range[0], (int) range[1])));
        }
    }

    /**
     * The lowest range above the head that is neither buffered nor requested (a partial answer, a
     * rejected peer's discarded blocks and a timed-out request all leave such gaps), else the next
     * batch up to the highest verified height.
     */
    private long[] nextRange(long head) {
        int batch = config.batchBlocks();
        for (long h = head + 1; h < nextRequestHeight; h++) {
            if (buffer.containsKey(h) || requested(h)) {
                continue;
            }
            long end = h;
            while (end < nextRequestHeight && end - h < batch && !buffer.containsKey(end) && !requested(end)) {
                end++;
            }
            return new long[] {h, end - h};
        }
        if (nextRequestHeight > target + 1) {
            return null;
        }
        long from = nextRequestHeight;
        nextRequestHeight += batch;
        return new long[] {from, batch};
    }

    private boolean requested(long height) {
        for (InFlight f : inFlight.values()) {
            if (height >= f.fromHeight() && height < f.fromHeight() + f.count()) {
                return true;
            }
        }
        return false;
    }

    /** Round robin over peers not dropped, not busy, and not known to lack blocks from this height. */
    private Address pickPeer(long fromHeight) {
        for (int i = 0; i < others.size(); i++) {
            Address candidate = others.get((nextPeer + i) % others.size());
            Long exhausted = exhaustedAt.get(candidate);
            if (!dropped.contains(candidate) && !inFlight.containsKey(candidate)
                    && (exhausted == null || exhausted > fromHeight)) {
                nextPeer = (nextPeer + i + 1) % others.size();
                return candidate;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ executing and committing

    /** Executes the block after the head if a certified child in the buffer proves it committed (2-chain). */
    private void executeNext(long head) {
        if (!consensusPaused || executing != null || committing != null) {
            return;
        }
        Buffered next = buffer.get(head + 1);
        Buffered child = buffer.get(head + 2);
        if (next == null) {
            return;
        }
        Block block = next.block().block();
        if (!block.header().parentId().equals(headId())) {
            reject(next.origin(), "broken_link", "protocol", "block at " + (head + 1) + " does not extend our committed head");
            return;
        }
        if (child == null || !provenCommitted(head + 1)) {
            return;
        }
        executing = next.block();
        BulkSyncMessage.CertifiedBlock job = next.block();
        context.pipeToSelf(executor.execute(block, List.of()).toCompletableFuture()
                .orTimeout(EXECUTION_TIMEOUT_SECONDS, TimeUnit.SECONDS), (result, failure) -> failure == null
                ? new Executed(job, result) : new ExecutionFailed(job, failure));
    }

    /** Some linked pair at or above {@code height} in the buffer has consecutive rounds. */
    private boolean provenCommitted(long height) {
        Buffered previous = buffer.get(height);
        for (long h = height + 1; previous != null; h++) {
            Buffered current = buffer.get(h);
            if (current == null) {
                return false;
            }
            if (!current.block().block().header().parentId().equals(previous.block().block().id())) {
                // two peers' batches do not join (one served a certified block that was never committed):
                // drop the upper batch, unpenalised, and ask again (round robin picks another peer first)
                Address origin = current.origin();
                buffer.tailMap(h, true).values().removeIf(b -> b.origin().equals(origin));
                return false;
            }
            if (CertifiedBlocks.provesCommit(previous.block().block(), current.block().block())) {
                return true;
            }
            previous = current;
        }
        return false;
    }

    private Behavior<Command> onExecuted(Executed done) {
        executing = null;
        if (!syncing) {
            return this;
        }
        Block block = done.block().block();
        QuorumCertificate qc = done.block().certificate();
        long height = block.header().height();
        Buffered source = buffer.get(height);
        if (height != head() + 1 || source == null || !source.block().equals(done.block())) {
            return progress(); // the head moved meanwhile; the buffer decides again
        }
        ExecutedBlock result = done.result();
        if (!result.stateRoot().equals(qc.voteData().stateRoot()) || !result.receiptRoot().equals(qc.voteData().receiptRoot())) {
            // 2f+1 validators signed these roots: a mismatch means the block content is not what they executed
            reject(source.origin(), "state_root_mismatch", "protocol", "block at " + height
                    + " executes to a state root other than its certificate's");
            return progress();
        }
        committing = done.block();
        committer.commit(block, qc, result);
        return this;
    }

    private Behavior<Command> onStoreCommitted(StoreCommitted committed) {
        if (committing != null && committed.height() >= committing.block().header().height()) {
            if (committed.blockId().equals(committing.block().id())) {
                status.blockCommitted();
            }
            committing = null;
        }
        return progress();
    }
}
