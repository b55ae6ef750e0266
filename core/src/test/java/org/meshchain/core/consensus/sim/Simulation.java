package org.meshchain.core.consensus.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import org.meshchain.core.consensus.ConsensusAction;
import org.meshchain.core.consensus.ConsensusAction.TimerKind;
import org.meshchain.core.consensus.ConsensusConfig;
import org.meshchain.core.consensus.ConsensusCore;
import org.meshchain.core.consensus.ConsensusEvent;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.SafetyRules;
import org.meshchain.core.consensus.SafetyState;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

/**
 * Deterministic simulation of n consensus cores (DESIGN 5.6), in one thread, on a virtual clock and
 * a seeded network: delays, drops, duplicates, reordering, partitions, crashes and restarts (from the
 * persisted safety state, or wiped), Byzantine validators, then global stabilisation (GST). Every
 * invariant is checked after every step; the first violations are collected in the result.
 */
public final class Simulation {

    static final long TICK_MS = 1_000;
    /**
     * Simulated time is scaled against production defaults (1 s base, 200 ms block interval): one
     * block per second at most keeps the real-signature cost of a 300 s run affordable, and the
     * round timer keeps the same ratio to block interval plus two worst-case network delays.
     */
    static final long SIM_BLOCK_INTERVAL_MS = 1_000;
    static final long SIM_BASE_TIMEOUT_MS = 2_500;

    private final SimParams p;
    private final SplittableRandom rnd;
    private final ConsensusConfig config;
    private final CachingSignatureVerifier verifier = new CachingSignatureVerifier();
    private final List<SimNode> nodes = new ArrayList<>();
    private final Map<Address, Integer> indexOf = new HashMap<>();
    private final PriorityQueue<Ev> queue = new PriorityQueue<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<Long, Hash32> committedAtHeight = new HashMap<>();
    private final Set<Hash32> createdBlocks = new HashSet<>();
    private final Map<Hash32, Hash32> stateRoots = new HashMap<>();
    private final Map<Block, Hash32> blockIds = new java.util.IdentityHashMap<>();
    private final SimTrace trace = new SimTrace(indexOf);
    private final int[] partition;
    private long now;
    private long seq;
    private long steps;
    private long messages;
    private long misbehaviour;
    private int wipedNodes;
    private boolean healed;
    private BiPredicate<Integer, ConsensusMessage> dropFilter = (to, m) -> false;

    private record Ev(long time, long seq, int node, Object payload) implements Comparable<Ev> {
        @Override
        public int compareTo(Ev o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private record Deliver(int from, ConsensusMessage message) {
    }

    private record Timer(TimerKind kind, long round, long token, long incarnation) {
    }

    private record Executed(Hash32 blockId, Hash32 stateRoot, Hash32 receiptRoot, long incarnation) {
    }

    private record Crash() {
    }

    private record Restart(boolean wipeAll, boolean wipeSafetyOnly) {
    }

    private record Tick() {
    }

    private record Gst() {
    }

    private record Heal() {
    }

    private static final class SimNode {
        final int index;
        final Ed25519PrivateKey key;
        final Address address;
        final boolean byzantine;
        ConsensusCore core;
        SafetyState persisted = SafetyState.INITIAL;
        SimStore store;
        /** Executed, uncommitted blocks: durable like the store (ADR 0015, last section). */
        SimPendingBlocks pendingBlocks = new SimPendingBlocks();
        int safetyEpoch;
        long incarnation;
        final EnumMap<TimerKind, Long> timerTokens = new EnumMap<>(TimerKind.class);
        final Map<Long, VoteData> votesThisEpoch = new HashMap<>();
        final ArrayDeque<ConsensusMessage> seen = new ArrayDeque<>();
        /** A Byzantine leader's recent equivocations (both blocks of each pair), replayed to peers that reconnect. */
        final ArrayDeque<Block[]> twins = new ArrayDeque<>();
        long firstCommitAfterGst = -1;
        long lastCommitTime = -1;
        boolean everWiped;

        SimNode(int index, Ed25519PrivateKey key, boolean byzantine, QuorumCertificate genesisQc) {
            this.index = index;
            this.key = key;
            this.address = Address.of(key.publicKey());
            this.byzantine = byzantine;
            this.store = new SimStore(genesisQc);
        }
    }

    public Simulation(SimParams params) {
        this.p = params;
        this.rnd = new SplittableRandom(params.seed());
        ValidatorSet set = new ValidatorSet(SimKeys.publicKeys(params.validators()));
        this.config = ConsensusConfig.defaults(SimKeys.CHAIN, set, SimKeys.GENESIS_ID, SimKeys.GENESIS_STATE)
                .withTimers(SIM_BASE_TIMEOUT_MS, 1_500, SIM_BLOCK_INTERVAL_MS)
                .withSync(50, 500, 20);
        stateRoots.put(SimKeys.GENESIS_ID, SimKeys.GENESIS_STATE);
        createdBlocks.add(SimKeys.GENESIS_ID);
        partition = new int[params.validators()];
        for (int i = 0; i < params.validators(); i++) {
            // validators are ordered by address in the set; Byzantine ones are the first `byzantine` keys
            Ed25519PrivateKey key = SimKeys.KEYS.get(i);
            SimNode node = new SimNode(i, key, i < params.byzantine(), config.genesisQc());
            nodes.add(node);
            indexOf.put(node.address, i);
        }
    }

    public ConsensusConfig config() {
        return config;
    }

    /** Drop messages (to node index, message) for which the filter answers true (scenario tests). */
    public Simulation dropWhen(BiPredicate<Integer, ConsensusMessage> filter) {
        this.dropFilter = filter;
        return this;
    }

    public void scheduleCrash(long atMs, int node) {
        schedule(atMs, node, new Crash());
    }

    public void scheduleRestart(long atMs, int node, boolean wipeAll, boolean wipeSafetyOnly) {
        schedule(atMs, node, new Restart(wipeAll, wipeSafetyOnly));
    }

    public long committedHeight(int node) {
        return nodes.get(node).store.height();
    }

    public long roundTimeoutOf(int node) {
        ConsensusCore c = nodes.get(node).core;
        return c == null ? -1 : c.currentRoundTimeoutMs();
    }

    public long roundOf(int node) {
        ConsensusCore c = nodes.get(node).core;
        return c == null ? -1 : c.currentRound();
    }

    private void schedule(long at, int node, Object payload) {
        queue.add(new Ev(at, seq++, node, payload));
    }

    // ------------------------------------------------------------------ run

    public SimResult run() {
        return runUntil(p.durationMs(), true);
    }

    private boolean startedRun;

    /** Runs to {@code untilMs}; with {@code finish} also checks liveness and returns the final result. */
    public SimResult runUntil(long untilMs, boolean finish) {
        if (!startedRun) {
            startedRun = true;
            for (SimNode n : nodes) {
                start(n);
            }
            schedule(TICK_MS, -1, new Tick());
            if (p.gstMs() > 0) {
                schedule(p.gstMs(), -1, new Gst());
            } else {
                healed = true;
            }
        }
        while (!queue.isEmpty() && queue.peek().time() <= untilMs && violations.size() < 5) {
            Ev ev = queue.poll();
            now = ev.time();
            steps++;
            dispatch(ev);
        }
        now = untilMs;
        if (finish) {
            checkLiveness();
        }
        return result();
    }

    SimResult result() {
        long minHonest = Long.MAX_VALUE;
        long max = 0;
        long maxRound = 0;
        for (SimNode n : nodes) {
            if (!n.byzantine) {
                minHonest = Math.min(minHonest, n.store.height());
            }
            max = Math.max(max, n.store.height());
            if (n.core != null) {
                maxRound = Math.max(maxRound, n.core.currentRound());
            }
        }
        return new SimResult(p.seed(), p, List.copyOf(violations), minHonest, max, steps, messages, misbehaviour,
                verifier.verifications, maxRound);
    }

    private void dispatch(Ev ev) {
        Object payload = ev.payload();
        if (payload instanceof Tick) {
            tick();
            schedule(now + TICK_MS, -1, new Tick());
            return;
        }
        if (payload instanceof Gst) {
            healed = true;
            java.util.Arrays.fill(partition, 0);
            for (SimNode n : nodes) {
                if (n.core == null) {
                    restart(n, false, false);
                }
            }
            return;
        }
        if (payload instanceof Heal) {
            java.util.Arrays.fill(partition, 0);
            return;
        }
        SimNode node = nodes.get(ev.node());
        switch (payload) {
            case Deliver d -> {
                if (node.core == null) {
                    return;
                }
                if (node.byzantine && node.seen.size() < 64) {
                    node.seen.add(d.message());
                }
                step(node, ConsensusEvent.received(nodes.get(d.from()).address, d.message(), now));
            }
            case Timer t -> {
                if (node.core == null || t.incarnation() != node.incarnation
                        || !Long.valueOf(t.token()).equals(node.timerTokens.get(t.kind()))) {
                    return;
                }
                step(node, new ConsensusEvent.TimerFired(t.kind(), t.round(), now));
            }
            case Executed e -> {
                if (node.core == null || e.incarnation() != node.incarnation) {
                    return;
                }
                step(node, new ConsensusEvent.BlockExecuted(e.blockId(), e.stateRoot(), e.receiptRoot(), now));
            }
            case Crash c -> crash(node);
            case Restart r -> {
                if (node.core == null) {
                    restart(node, r.wipeAll(), r.wipeSafetyOnly());
                }
            }
            default -> throw new IllegalStateException("unknown event " + payload);
        }
    }

    private void tick() {
        int f = p.maxFaulty();
        if (rnd.nextInt(3) == 0) {
            int target = rnd.nextInt(nodes.size());
            int from = rnd.nextInt(SimKeys.TRANSACTIONS.size() - 8);
            step(nodes.get(target), new ConsensusEvent.TransactionsAvailable(
                    SimKeys.TRANSACTIONS.subList(from, from + 1 + rnd.nextInt(8)), now), true);
        }
        for (SimNode n : nodes) {
            if (n.byzantine && n.core != null && rnd.nextInt(2) == 0) {
                byzantineNoise(n);
            }
        }
        if (!p.randomFaults() || healed) {
            return;
        }
        if (rnd.nextDouble() < p.crashRatePerSecond()) {
            int down = 0;
            for (SimNode n : nodes) {
                down += n.core == null ? 1 : 0;
            }
            SimNode victim = nodes.get(rnd.nextInt(nodes.size()));
            if (!victim.byzantine && victim.core != null && down < f) {
                crash(victim);
                boolean wipe = rnd.nextDouble() < p.wipeOnCrash() && (victim.everWiped || wipedNodes + p.byzantine() < f);
                if (wipe && !victim.everWiped) {
                    wipedNodes++;
                }
                long back = now + 1_000 + rnd.nextLong(30_000);
                if (back < p.gstMs()) {
                    scheduleRestart(back, victim.index, wipe, false);
                }
            }
        }
        if (rnd.nextDouble() < p.partitionRatePerSecond()) {
            boolean mixed = false;
            for (int i = 0; i < partition.length; i++) {
                partition[i] = rnd.nextInt(2);
                mixed |= partition[i] != partition[0];
            }
            if (!mixed) {
                partition[0] ^= 1;
            }
            long healAt = Math.min(now + 1_000 + rnd.nextLong(20_000), p.gstMs());
            schedule(healAt, -1, new Heal());
        }
    }

    // ------------------------------------------------------------------ nodes

    private SafetyRules safetyRules(SimNode n) {
        if (n.byzantine) {
            return new RecklessSafetyRules(SimKeys.CHAIN, n.key);
        }
        return p.safetyRules().create(SimKeys.CHAIN, n.key, n.persisted);
    }

    private void start(SimNode n) {
        n.core = new ConsensusCore(config, safetyRules(n), verifier, n.store);
        // As the real node does at restart: the kept uncommitted tail goes back in as a sync response from itself.
        List<QuorumCertificate> known = new ArrayList<>();
        if (n.persisted.lastTimeout() != null) {
            known.add(n.persisted.lastTimeout().highQc());
        }
        n.pendingBlocks.prune(n.store.height());
        ConsensusMessage.SyncResponse restored = n.pendingBlocks.restore(n.store.headId(), n.store.height(), known,
                config.maxSyncBlocks());
        if (restored != null) {
            step(n, new ConsensusEvent.SyncResponseReceived(n.address, restored, now));
        }
        step(n, new ConsensusEvent.Start(now));
    }

    private void crash(SimNode n) {
        if (n.core == null) {
            return;
        }
        n.core = null;
        n.incarnation++;
        n.timerTokens.clear();
    }

    private void restart(SimNode n, boolean wipeAll, boolean wipeSafetyOnly) {
        if (wipeAll || wipeSafetyOnly) {
            n.persisted = SafetyState.INITIAL;
            n.safetyEpoch++;
            n.votesThisEpoch.clear();
            n.everWiped = true;
        }
        if (wipeAll) {
            n.store = new SimStore(config.genesisQc());
            n.pendingBlocks = new SimPendingBlocks();
        }
        n.incarnation++;
        start(n);
        // A reconnecting peer is a chance for an adversary: offer it the other side of recent equivocations.
        for (SimNode byz : nodes) {
            if (byz.byzantine) {
                for (Block[] pair : byz.twins) {
                    int first = rnd.nextInt(2);
                    transmit(byz.index, n.index, new ConsensusMessage.Proposal(pair[first]));
                    transmit(byz.index, n.index, new ConsensusMessage.Proposal(pair[1 - first]));
                }
            }
        }
    }

    private void step(SimNode n, ConsensusEvent event) {
        step(n, event, false);
    }

    private void step(SimNode n, ConsensusEvent event, boolean quiet) {
        if (n.core == null) {
            return;
        }
        List<ConsensusAction> actions = n.core.step(event);
        if (SimTrace.FROM_MS >= 0 && now >= SimTrace.FROM_MS) {
            trace.print(now, n.index, n.core.currentRound(), n.store.height(), n.core.highQc().round(), event, actions);
        }
        for (ConsensusAction a : actions) {
            apply(n, a);
        }
        if (!n.byzantine && n.core != null) {
            long cap = Math.round(config.baseTimeoutMs() * Math.pow(1.2, config.maxBackoffExponent())) + 1;
            if (n.core.currentRoundTimeoutMs() > cap) {
                violation("node " + n.index + " round timer " + n.core.currentRoundTimeoutMs() + " ms exceeds the cap " + cap);
            }
            if (n.core.uncommittedBlocks() > config.maxUncommittedBlocks() + 1
                    || n.core.pendingTransactions() > config.maxPendingTransactions()) {
                violation("node " + n.index + " buffers exceed their bounds");
            }
        }
    }

    private void apply(SimNode n, ConsensusAction action) {
        switch (action) {
            case ConsensusAction.PersistSafetyState s -> {
                SafetyState before = n.persisted;
                n.persisted = s.state();
                if (!n.byzantine && s.state().lastVote() != null) {
                    recordVote(n, s.state().lastVote());
                }
                if (!n.byzantine) {
                    registerOwnSignatures(n, before, s.state());
                }
            }
            case ConsensusAction.Send s -> {
                checkOutgoing(n, s.message());
                Integer to = indexOf.get(s.to());
                if (to != null) {
                    send(n, to, s.message());
                }
            }
            case ConsensusAction.Broadcast b -> {
                checkOutgoing(n, b.message());
                if (n.byzantine && b.message() instanceof ConsensusMessage.Proposal prop && rnd.nextInt(2) == 0) {
                    equivocate(n, prop.block());
                    return;
                }
                for (SimNode other : nodes) {
                    if (other != n) {
                        send(n, other.index, b.message());
                    }
                }
            }
            case ConsensusAction.SetTimer t -> {
                long token = seq;
                n.timerTokens.put(t.kind(), token);
                queue.add(new Ev(Math.max(now, t.atMs()), seq++, n.index, new Timer(t.kind(), t.round(), token, n.incarnation)));
            }
            case ConsensusAction.ExecuteBlock e -> {
                Block b = e.block();
                n.pendingBlocks.save(idOf(b), b); // before it can be voted for, as the real node does
                Hash32 parentRoot = stateRoots.get(b.header().parentId());
                if (parentRoot == null) {
                    violation("node " + n.index + " asked to execute " + b.id() + " whose parent was never executed");
                    return;
                }
                Hash32 id = idOf(b);
                byte[] both = new byte[64];
                parentRoot.copyTo(both, 0);
                id.copyTo(both, 32);
                Hash32 root = Hashing.tagged("SimState", both);
                stateRoots.put(id, root);
                schedule(now + 1 + rnd.nextInt(5), n.index,
                        new Executed(id, root, Hashing.tagged("SimReceipts", id.toByteArray()), n.incarnation));
            }
            case ConsensusAction.CommitBlock c -> commit(n, c.block(), c.certificate());
            case ConsensusAction.RequestSync r -> {
                Integer to = indexOf.get(r.peer());
                if (to != null) {
                    send(n, to, r.request());
                }
            }
            case ConsensusAction.RequestBlock r -> {
                checkOutgoing(n, r.request());
                Integer to = indexOf.get(r.peer());
                if (to != null) {
                    send(n, to, r.request());
                }
            }
            case ConsensusAction.ReportMisbehaviour m -> misbehaviour++;
        }
    }

    /** The vote/timeout an honest node just signed (new in its persisted state) is valid by construction. */
    private void registerOwnSignatures(SimNode n, SafetyState before, SafetyState after) {
        Vote v = after.lastVote();
        if (v != null && !v.equals(before.lastVote())
                && !verifier.registerOwnSignature(n.key.publicKey(), v.data().signingHash(), v.signature())) {
            violation("honest node " + n.index + " produced an invalid vote signature");
        }
        Timeout t = after.lastTimeout();
        if (t != null && !t.equals(before.lastTimeout()) && !verifier.registerOwnSignature(n.key.publicKey(),
                TimeoutCertificate.signingHash(t.chainId(), t.round(), t.highQc().round()), t.signature())) {
            violation("honest node " + n.index + " produced an invalid timeout signature");
        }
    }

    /**
     * A block's id, computed once per block object: the simulated nodes share the very objects they
     * exchange, and the simulator asks for the id of each block several times (created, executed,
     * committed by every node). Identity keys, so a different block object is always hashed.
     */
    private Hash32 idOf(Block block) {
        return blockIds.computeIfAbsent(block, Block::id);
    }

    private void send(SimNode from, int to, ConsensusMessage message) {
        if (from.byzantine) {
            if (p.randomFaults() && rnd.nextInt(5) == 0) {
                return; // withhold
            }
            if (message instanceof ConsensusMessage.VoteMessage v && rnd.nextInt(2) == 0) {
                VoteData d = v.vote().data();
                VoteData other = new VoteData(randomCreatedBlock(), d.round(), d.height(), randomHash(), d.receiptRoot());
                transmit(from.index, to, new ConsensusMessage.VoteMessage(Vote.sign(other, from.key)));
            }
        }
        transmit(from.index, to, message);
    }

    private void transmit(int from, int to, ConsensusMessage message) {
        if (from == to || partition[from] != partition[to]) {
            return;
        }
        if (dropFilter.test(to, message)) {
            return;
        }
        boolean chaos = p.randomFaults() && !healed;
        if (chaos && rnd.nextDouble() < p.dropRate()) {
            return;
        }
        messages++;
        long maxDelay = healed ? Math.min(p.maxDelayMs(), 100) : p.maxDelayMs();
        long delay = p.minDelayMs() + rnd.nextLong(Math.max(1, maxDelay - p.minDelayMs() + 1));
        if (chaos && rnd.nextInt(50) == 0) {
            delay += rnd.nextLong(2_000);
        }
        schedule(now + delay, to, new Deliver(from, message));
        if (chaos && rnd.nextDouble() < p.duplicateRate()) {
            schedule(now + delay + rnd.nextLong(500), to, new Deliver(from, message));
        }
    }

    // ------------------------------------------------------------------ Byzantine behaviour

    private Hash32 randomHash() {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return Hash32.of(b);
    }

    private Hash32 randomCreatedBlock() {
        return rnd.nextInt(3) == 0 ? randomHash() : SimKeys.GENESIS_ID;
    }

    private void equivocate(SimNode n, Block block) {
        BlockHeader h = block.header();
        Block twin = new Block(new BlockHeader(h.chainId(), h.height(), h.round(), h.parentId(), h.timestampMs() + 1 + rnd.nextInt(5),
                h.proposer(), h.txRoot(), h.justify(), h.timeoutCertificate()), block.transactions());
        createdBlocks.add(twin.id());
        n.twins.addLast(new Block[] {block, twin});
        if (n.twins.size() > 3) {
            n.twins.removeFirst();
        }
        for (SimNode other : nodes) {
            if (other != n) {
                transmit(n.index, other.index, new ConsensusMessage.Proposal(rnd.nextBoolean() ? block : twin));
            }
        }
    }

    private void byzantineNoise(SimNode n) {
        int target = rnd.nextInt(nodes.size());
        if (target == n.index) {
            return;
        }
        ConsensusCore core = n.core;
        QuorumCertificate hqc = core.highQc();
        switch (rnd.nextInt(7)) {
            case 0 -> { // replay an old message
                if (!n.seen.isEmpty()) {
                    ConsensusMessage[] all = n.seen.toArray(new ConsensusMessage[0]);
                    transmit(n.index, target, all[rnd.nextInt(all.length)]);
                }
            }
            case 1 -> { // a vote whose signature is for other data
                VoteData d = new VoteData(randomHash(), core.currentRound(), 1, randomHash(), randomHash());
                Vote good = Vote.sign(new VoteData(randomHash(), core.currentRound(), 1, randomHash(), randomHash()), n.key);
                transmit(n.index, target, new ConsensusMessage.VoteMessage(new Vote(d, n.address, good.signature())));
            }
            case 2 -> { // a proposal with a forged QC (signatures of another QC)
                VoteData forged = new VoteData(randomHash(), hqc.round() + 1, hqc.voteData().height() + 1, randomHash(), randomHash());
                QuorumCertificate fake = new QuorumCertificate(forged, hqc.signatures());
                BlockHeader h = new BlockHeader(SimKeys.CHAIN, forged.height() + 1, forged.round() + 1, forged.blockId(), now,
                        n.address, Hash32.ZERO, fake, null);
                Block b = new Block(h, List.of());
                createdBlocks.add(b.id());
                transmit(n.index, target, new ConsensusMessage.Proposal(b));
            }
            case 3 -> { // a timeout for another chain
                Timeout t = Timeout.sign(new ChainId("other-chain"), core.currentRound(), hqc, n.key);
                transmit(n.index, target, new ConsensusMessage.TimeoutMessage(t, null));
            }
            case 4 -> { // a timeout far ahead, and a TC with too few signatures
                Timeout t = Timeout.sign(SimKeys.CHAIN, core.currentRound() + 3, hqc, n.key);
                TimeoutCertificate tc = new TimeoutCertificate(core.currentRound() + 2, hqc, List.of(t.asTimeoutSignature()));
                transmit(n.index, target, new ConsensusMessage.TimeoutMessage(t, tc));
            }
            case 5 -> { // a sync response with a made-up chain and a forged certificate
                BlockHeader h = new BlockHeader(SimKeys.CHAIN, hqc.voteData().height() + 1, hqc.round() + 1, hqc.voteData().blockId(),
                        now, n.address, Hash32.ZERO, hqc, null);
                Block b = new Block(h, List.of());
                createdBlocks.add(b.id());
                VoteData vd = new VoteData(b.id(), h.round(), h.height(), randomHash(), randomHash());
                List<ValidatorSignature> sigs = new ArrayList<>();
                for (SimNode m : nodes) {
                    sigs.add(new ValidatorSignature(m.address, Vote.sign(vd, n.key).signature()));
                }
                sigs.sort(null);
                transmit(n.index, target, new ConsensusMessage.SyncResponse(List.of(b), new QuorumCertificate(vd, sigs), 1_000_000));
            }
            default -> { // sync requests (a peer cannot make a node do unbounded work)
                if (rnd.nextBoolean() || hqc.voteData().height() == 0) {
                    transmit(n.index, target, new ConsensusMessage.SyncRequest(1, 1_000_000));
                } else {
                    transmit(n.index, target, new ConsensusMessage.BlockRequest(hqc, 1));
                }
            }
        }
    }

    // ------------------------------------------------------------------ invariants

    private void violation(String message) {
        if (violations.size() < 5) {
            violations.add("t=" + now + "ms: " + message);
        }
    }

    private void requireExists(SimNode n, QuorumCertificate qc, String where) {
        if (qc != null && !createdBlocks.contains(qc.voteData().blockId())) {
            violation("node " + n.index + " used a QC for a block nobody proposed (" + where + ")");
        }
    }

    private void recordVote(SimNode n, Vote vote) {
        VoteData prior = n.votesThisEpoch.putIfAbsent(vote.data().round(), vote.data());
        if (prior != null && !prior.equals(vote.data())) {
            violation("honest node " + n.index + " signed two different votes for round " + vote.data().round());
        }
    }

    private void checkOutgoing(SimNode n, ConsensusMessage message) {
        if (message instanceof ConsensusMessage.Proposal prop) {
            createdBlocks.add(idOf(prop.block()));
        }
        if (n.byzantine) {
            return;
        }
        switch (message) {
            case ConsensusMessage.Proposal prop -> {
                requireExists(n, prop.block().header().justify(), "proposal justify");
                if (prop.block().header().timeoutCertificate() != null) {
                    requireExists(n, prop.block().header().timeoutCertificate().highQc(), "proposal TC");
                }
            }
            case ConsensusMessage.VoteMessage v -> {
                recordVote(n, v.vote());
                if (!v.vote().equals(n.persisted.lastVote())) {
                    violation("honest node " + n.index + " sent a vote that is not its persisted last vote");
                }
            }
            case ConsensusMessage.TimeoutMessage t -> {
                requireExists(n, t.timeout().highQc(), "timeout high QC");
                if (!t.timeout().equals(n.persisted.lastTimeout())) {
                    violation("honest node " + n.index + " sent a timeout that is not its persisted last timeout");
                }
            }
            case ConsensusMessage.SyncResponse s -> requireExists(n, s.certifyingQc(), "sync certificate");
            case ConsensusMessage.SyncRequest s -> {
            }
            case ConsensusMessage.BlockRequest r -> requireExists(n, r.certificate(), "block request");
        }
    }

    private void commit(SimNode n, Block block, QuorumCertificate certificate) {
        Hash32 id = idOf(block);
        if (!n.byzantine) {
            long expected = n.store.height() + 1;
            if (block.header().height() != expected || !block.header().parentId().equals(n.store.headId())) {
                violation("node " + n.index + " committed height " + block.header().height() + " out of order (expected " + expected
                        + " on its head)");
            }
            if (!certificate.voteData().blockId().equals(id)) {
                violation("node " + n.index + " committed with a certificate for another block");
            }
            requireExists(n, certificate, "commit certificate");
            Hash32 prior = committedAtHeight.putIfAbsent(block.header().height(), id);
            if (prior != null && !prior.equals(id)) {
                violation("two different blocks committed at height " + block.header().height() + " (node " + n.index + ")");
            }
            if (healed && n.firstCommitAfterGst < 0 && now >= p.gstMs()) {
                n.firstCommitAfterGst = now;
            }
            n.lastCommitTime = now;
        }
        n.store.append(block, certificate);
        n.pendingBlocks.prune(n.store.height());
    }

    private void checkLiveness() {
        long end = now;
        long bound = p.livenessBoundMs();
        if (end - p.gstMs() < 2 * bound) {
            return;
        }
        for (SimNode n : nodes) {
            if (n.byzantine) {
                continue;
            }
            if (n.firstCommitAfterGst < 0 || n.firstCommitAfterGst > p.gstMs() + bound) {
                violation("liveness: honest node " + n.index + " did not commit within " + bound + " ms after GST (first commit at "
                        + n.firstCommitAfterGst + ", height " + n.store.height() + ", round " + (n.core == null ? -1 : n.core.currentRound()) + ")");
            } else if (n.lastCommitTime < end - bound) {
                violation("liveness: honest node " + n.index + " stopped committing at " + n.lastCommitTime);
            }
        }
    }
}
