package org.meshchain.core.consensus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.meshchain.core.consensus.ConsensusAction.TimerKind;
import org.meshchain.core.consensus.ConsensusMessage.Proposal;
import org.meshchain.core.consensus.ConsensusMessage.SyncRequest;
import org.meshchain.core.consensus.ConsensusMessage.SyncResponse;
import org.meshchain.core.consensus.ConsensusMessage.TimeoutMessage;
import org.meshchain.core.consensus.ConsensusMessage.VoteMessage;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

/**
 * The consensus protocol as a pure state machine (DESIGN 5.1, 5.2, 5.4, 5.6):
 * {@code step(event) -> actions}. No clock, threads or I/O: time comes in events, and everything
 * the node must do comes out as {@link ConsensusAction}s, carried out by the shell in order.
 * Not thread-safe: one caller at a time.
 */
public final class ConsensusCore {

    private final ConsensusConfig config;
    private final ValidatorSet validators;
    private final SafetyRules safety;
    private final CertificateVerifier certificates;
    private final CommittedBlocks store;
    private final LeaderElection leaders;
    private final Address self;

    /** Block tree: the committed head and every block above it that we hold. */
    private final Map<Hash32, Node> tree = new HashMap<>();
    private Node committedHead;
    private Node decidedHead;
    private QuorumCertificate highQc;
    private TimeoutCertificate lastTc;
    private long round;
    private boolean proposedInRound;
    private boolean timedOutInRound;
    private final TreeMap<Long, Map<Address, VoteData>> votesBySigner = new TreeMap<>();
    private final TreeMap<Long, Map<VoteData, Map<Address, Vote>>> votes = new TreeMap<>();
    private final TreeMap<Long, Boolean> qcFormed = new TreeMap<>();
    private final TreeMap<Long, Map<Address, Timeout>> timeouts = new TreeMap<>();
    private final TreeMap<Long, Hash32> proposals = new TreeMap<>();
    private final LinkedHashMap<Hash32, SignedTransaction> pendingTransactions = new LinkedHashMap<>();
    /**
     * Ids of the most recently committed transactions (FIFO, at most {@code maxPendingTransactions}): the
     * mempool feed can cross a commit and hand a just-committed transaction back, which would otherwise be
     * included again (and only discarded by execution as a stale nonce).
     */
    private final LinkedHashSet<Hash32> recentlyCommitted = new LinkedHashSet<>();
    private long lastSyncRequestMs = Long.MIN_VALUE / 2;
    /** Certified blocks we lack and fetch by id (block id -> fetch), at most {@link #MAX_BLOCK_FETCHES}. */
    private final LinkedHashMap<Hash32, BlockFetch> fetches = new LinkedHashMap<>();
    /** The current round's proposal, kept while its parent is being fetched so we can still vote for it. */
    private Block waitingProposal;
    private boolean started;

    private List<ConsensusAction> out = new ArrayList<>();
    private long now;

    /** Concurrent fetches of certified blocks by id; the highest ones are kept. */
    static final int MAX_BLOCK_FETCHES = 4;

    private static final class BlockFetch {
        final QuorumCertificate certificate;
        int attempts;
        long lastRequestMs;

        BlockFetch(QuorumCertificate certificate) {
            this.certificate = certificate;
        }
    }

    private static final class Node {
        final Hash32 id;
        final long height;
        final long round;
        final Hash32 parentId;
        final long timestampMs;
        final Block block;
        Hash32 stateRoot;
        Hash32 receiptRoot;
        QuorumCertificate qc;
        boolean executeRequested;

        Node(Hash32 id, long height, long round, Hash32 parentId, long timestampMs, Block block) {
            this.id = id;
            this.height = height;
            this.round = round;
            this.parentId = parentId;
            this.timestampMs = timestampMs;
            this.block = block;
        }

        boolean executed() {
            return stateRoot != null;
        }
    }

    public ConsensusCore(ConsensusConfig config, SafetyRules safety, SignatureVerifier verifier, CommittedBlocks store) {
        this.config = Objects.requireNonNull(config, "config");
        this.validators = config.validators();
        this.safety = Objects.requireNonNull(safety, "safety");
        this.certificates = new CertificateVerifier(config, Objects.requireNonNull(verifier, "verifier"));
        this.store = Objects.requireNonNull(store, "store");
        this.self = safety.validator();
        if (!validators.contains(self)) {
            throw new IllegalArgumentException("the safety rules' key is not a validator: " + self);
        }
        this.leaders = new LeaderElection(validators, config.reputationWindow(), config.reputationLag(), config.reviveEvery());
        long height = store.height();
        QuorumCertificate headQc = store.certificateAt(height);
        if (headQc == null || headQc.voteData().height() != height) {
            throw new IllegalArgumentException("the chain store has no certificate for its head at height " + height);
        }
        Block headBlock = height == 0 ? null : store.blockAt(height);
        if (height > 0 && (headBlock == null || !headBlock.id().equals(headQc.voteData().blockId()))) {
            throw new IllegalArgumentException("the chain store's head block does not match its certificate");
        }
        Node head = new Node(headQc.voteData().blockId(), height, headQc.round(),
                headBlock == null ? Hash32.ZERO : headBlock.header().parentId(),
                headBlock == null ? 0 : headBlock.header().timestampMs(), headBlock);
        head.stateRoot = headQc.voteData().stateRoot();
        head.receiptRoot = headQc.voteData().receiptRoot();
        head.qc = headQc;
        head.executeRequested = true;
        tree.put(head.id, head);
        committedHead = head;
        decidedHead = head;
        highQc = headQc;
        long history = 2L * (config.reputationWindow() + config.reputationLag()) + 2;
        for (long h = Math.max(1, height - history); h <= height; h++) {
            Block b = store.blockAt(h);
            if (b != null) {
                leaders.recordCommitted(b.header().round(), b.header().proposer());
            }
        }
        SafetyState s = safety.state();
        if (s.lastTimeout() != null && s.lastTimeout().highQc().round() > highQc.round()
                && certificates.verifyQc(s.lastTimeout().highQc())) {
            highQc = s.lastTimeout().highQc();
        }
        round = Math.max(highQc.round() + 1, s.lastVotedRound());
    }

    // ------------------------------------------------------------------ queries (for the shell and tests)

    public long currentRound() {
        return round;
    }

    public QuorumCertificate highQc() {
        return highQc;
    }

    public long committedHeight() {
        return committedHead.height;
    }

    public Hash32 committedHeadId() {
        return committedHead.id;
    }

    public SafetyState safetyState() {
        return safety.state();
    }

    public Address validator() {
        return self;
    }

    /** The leader of {@code round} as this node currently computes it. */
    public Address leaderOf(long round) {
        return leaders.leader(round);
    }

    /** Round timer length at the current round (for metrics and tests). */
    public long currentRoundTimeoutMs() {
        return config.roundTimeoutMs(round - highQc.round() - 1);
    }

    /** Number of blocks held above the committed head (bounded by config). */
    public int uncommittedBlocks() {
        return tree.size() - 1;
    }

    public int bufferedMessages() {
        int n = 0;
        for (Map<Address, Timeout> m : timeouts.values()) {
            n += m.size();
        }
        for (Map<Address, VoteData> m : votesBySigner.values()) {
            n += m.size();
        }
        return n + proposals.size();
    }

    public int pendingTransactions() {
        return pendingTransactions.size();
    }

    // ------------------------------------------------------------------ step

    public List<ConsensusAction> step(ConsensusEvent event) {
        Objects.requireNonNull(event, "event");
        out = new ArrayList<>();
        now = event.nowMs();
        if (!started && !(event instanceof ConsensusEvent.Start)) {
            onStart();
        }
        switch (event) {
            case ConsensusEvent.Start s -> onStart();
            case ConsensusEvent.ProposalReceived p -> onProposal(p.from(), p.proposal().block());
            case ConsensusEvent.VoteReceived v -> onVote(v.from(), v.vote().vote());
            case ConsensusEvent.TimeoutReceived t -> onTimeout(t.from(), t.timeout());
            case ConsensusEvent.SyncRequestReceived r -> onSyncRequest(r.from(), r.request());
            case ConsensusEvent.BlockRequestReceived r -> onBlockRequest(r.from(), r.request());
            case ConsensusEvent.SyncResponseReceived r -> onSyncResponse(r.from(), r.response());
            case ConsensusEvent.TimerFired t -> onTimer(t.kind(), t.round());
            case ConsensusEvent.BlockExecuted e -> onExecuted(e.blockId(), e.stateRoot(), e.receiptRoot());
            case ConsensusEvent.TransactionsAvailable t -> onTransactions(t.transactions());
        }
        List<ConsensusAction> result = out;
        out = new ArrayList<>();
        return result;
    }

    private void onStart() {
        if (started) {
            return;
        }
        started = true;
        armRoundTimer();
        maybePropose();
    }

    // ------------------------------------------------------------------ rounds and timers

    private void armRoundTimer() {
        out.add(new ConsensusAction.SetTimer(TimerKind.ROUND, round, now + config.roundTimeoutMs(round - highQc.round() - 1)));
    }

    private void enterRound(long newRound) {
        if (newRound <= round) {
            return;
        }
        round = newRound;
        proposedInRound = false;
        timedOutInRound = false;
        long keepFrom = round - 1;
        votes.headMap(keepFrom).clear();
        votesBySigner.headMap(keepFrom).clear();
        qcFormed.headMap(keepFrom).clear();
        timeouts.headMap(keepFrom).clear();
        proposals.headMap(keepFrom).clear();
        if (waitingProposal != null && waitingProposal.header().round() < round) {
            waitingProposal = null;
        }
        armRoundTimer();
        maybePropose();
    }

    private void onTimer(TimerKind kind, long timerRound) {
        if (timerRound != round) {
            return;
        }
        if (kind == TimerKind.PROPOSE) {
            maybePropose();
            return;
        }
        retryFetches();
        localTimeout();
    }

    /** Time out the current round (or re-broadcast the timeout already signed), then re-arm for re-broadcast. */
    private void localTimeout() {
        TimeoutCertificate tc = lastTc != null && lastTc.round() == round - 1 ? lastTc : null;
        SafetyState before = safety.state();
        Optional<Timeout> signed = safety.signTimeout(round, highQc, tc);
        if (signed.isPresent()) {
            persistIfChanged(before);
            timedOutInRound = true;
            out.add(new ConsensusAction.Broadcast(new TimeoutMessage(signed.get(), tc)));
            addTimeout(signed.get(), self);
        }
        out.add(new ConsensusAction.SetTimer(TimerKind.ROUND, round, now + config.timeoutRebroadcastMs()));
    }

    private void persistIfChanged(SafetyState before) {
        SafetyState after = safety.state();
        if (!after.equals(before)) {
            out.add(new ConsensusAction.PersistSafetyState(after));
        }
    }

    // ------------------------------------------------------------------ certificates

    /** A verified QC: record it on its block, maybe commit, raise the high QC, advance the round. */
    private void processQc(QuorumCertificate qc, Address source) {
        Node node = tree.get(qc.voteData().blockId());
        if (node != null) {
            if (node.qc == null) {
                node.qc = qc;
            }
            checkCommit(node);
        } else if (qc.voteData().height() > decidedHead.height
                && qc.voteData().height() <= decidedHead.height + config.syncLagBlocks()) {
            // A certified block we lack, close to our head: fetch it (and its missing ancestors) by id
            // from a validator that signed for it. Further behind, the height-based sync below catches up.
            fetchBlock(qc);
        }
        if (qc.voteData().height() > decidedHead.height + config.syncLagBlocks()) {
            requestSync(source);
        }
        if (qc.round() > highQc.round()) {
            highQc = qc;
        }
        enterRound(qc.round() + 1);
    }

    private void processTc(TimeoutCertificate tc, Address source) {
        if (tc == null) {
            return;
        }
        processQc(tc.highQc(), source);
        if (lastTc == null || tc.round() > lastTc.round()) {
            lastTc = tc;
        }
        enterRound(tc.round() + 1);
    }

    private void checkCommit(Node certified) {
        Node parent = tree.get(certified.parentId);
        if (parent != null && certified.round == parent.round + 1) {
            decide(parent);
        }
        for (Node child : new ArrayList<>(tree.values())) {
            if (child.qc != null && child.parentId.equals(certified.id) && child.round == certified.round + 1) {
                decide(certified);
            }
        }
    }

    /** {@code node} is committed by the 2-chain rule: it and its ancestors become final. */
    private void decide(Node node) {
        if (node.height <= decidedHead.height) {
            return;
        }
        Node cursor = node;
        while (cursor != null && cursor.height > decidedHead.height) {
            cursor = tree.get(cursor.parentId);
        }
        if (cursor != decidedHead) {
            // Only possible if more than f validators are faulty: never finalise a conflicting chain.
            return;
        }
        decidedHead = node;
        prune();
        fetches.values().removeIf(f -> f.certificate.voteData().height() <= decidedHead.height);
        drainCommits();
    }

    private void drainCommits() {
        List<Node> path = new ArrayList<>();
        for (Node n = decidedHead; n != committedHead && n != null; n = tree.get(n.parentId)) {
            path.add(n);
        }
        for (int i = path.size() - 1; i >= 0; i--) {
            Node n = path.get(i);
            if (!n.executed() || n.qc == null || n.block == null) {
                break;
            }
            out.add(new ConsensusAction.CommitBlock(n.block, n.qc));
            leaders.recordCommitted(n.round, n.block.header().proposer());
            for (SignedTransaction tx : n.block.transactions()) {
                pendingTransactions.remove(tx.id());
                rememberCommitted(tx.id());
            }
            tree.remove(committedHead.id);
            committedHead = n;
        }
    }

    /** Drop every block that does not extend the decided head (conflicting or stale branches). */
    private void prune() {
        Set<Hash32> keep = new HashSet<>();
        for (Node n = decidedHead; n != null; n = tree.get(n.parentId)) {
            keep.add(n.id);
            if (n == committedHead) {
                break;
            }
        }
        Map<Hash32, Boolean> descends = new HashMap<>();
        descends.put(decidedHead.id, Boolean.TRUE);
        for (Node n : tree.values()) {
            if (!keep.contains(n.id) && !descendsFromDecided(n, descends)) {
                descends.put(n.id, Boolean.FALSE);
            }
        }
        tree.values().removeIf(n -> !keep.contains(n.id) && !Boolean.TRUE.equals(descends.get(n.id)));
    }

    private boolean descendsFromDecided(Node n, Map<Hash32, Boolean> memo) {
        List<Hash32> visited = new ArrayList<>();
        Node cursor = n;
        boolean result = false;
        while (cursor != null) {
            Boolean known = memo.get(cursor.id);
            if (known != null) {
                result = known;
                break;
            }
            if (cursor.height <= decidedHead.height) {
                result = false;
                break;
            }
            visited.add(cursor.id);
            cursor = tree.get(cursor.parentId);
        }
        for (Hash32 id : visited) {
            memo.put(id, result);
        }
        return result;
    }

    // ------------------------------------------------------------------ proposals

    private boolean reject(Address peer, Misbehaviour kind, String detail) {
        out.add(new ConsensusAction.ReportMisbehaviour(peer, kind, detail));
        return false;
    }

    /** Stateless checks of a block's header and body (everything except its place in our tree). */
    private boolean checkBlock(Address from, Block block) {
        BlockHeader h = block.header();
        if (!h.chainId().equals(config.chainId())) {
            return reject(from, Misbehaviour.WRONG_CHAIN, "block for chain " + h.chainId());
        }
        if (!validators.contains(h.proposer())) {
            return reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "proposer " + h.proposer());
        }
        if (block.transactions().size() > config.maxBlockTransactions()) {
            return reject(from, Misbehaviour.OVERSIZED, block.transactions().size() + " transactions");
        }
        if (h.justify().signatures().size() > validators.size()
                || (h.timeoutCertificate() != null && h.timeoutCertificate().signatures().size() > validators.size())) {
            return reject(from, Misbehaviour.OVERSIZED, "certificate with more signatures than validators");
        }
        if (!block.transactions().isEmpty() && DomainCodecs.encode(block).length > config.maxBlockBytes()) {
            return reject(from, Misbehaviour.OVERSIZED, "block over " + config.maxBlockBytes() + " bytes");
        }
        if (h.round() <= h.justify().round()) {
            return reject(from, Misbehaviour.INVALID_ROUND, "round " + h.round() + " not above its QC round " + h.justify().round());
        }
        TimeoutCertificate tc = h.timeoutCertificate();
        if (h.round() == h.justify().round() + 1) {
            if (tc != null) {
                return reject(from, Misbehaviour.INVALID_ROUND, "TC carried although the QC is from the previous round");
            }
        } else if (tc == null || tc.round() != h.round() - 1
                || h.justify().round() < PersistentSafetyRules.maxReportedQcRound(tc)) {
            return reject(from, Misbehaviour.INVALID_ROUND, "round " + h.round() + " not justified by a TC of the previous round");
        }
        if (!h.parentId().equals(h.justify().voteData().blockId()) || h.height() != h.justify().voteData().height() + 1) {
            return reject(from, Misbehaviour.INVALID_HEIGHT, "parent/height do not follow the justify QC");
        }
        if (!block.txRootMatches()) {
            return reject(from, Misbehaviour.INVALID_TX_ROOT, "tx root mismatch");
        }
        if (!certificates.verifyQc(h.justify())) {
            return reject(from, Misbehaviour.INVALID_QUORUM_CERTIFICATE, "justify QC of round " + h.justify().round());
        }
        if (tc != null && !certificates.verifyTc(tc)) {
            return reject(from, Misbehaviour.INVALID_TIMEOUT_CERTIFICATE, "TC of round " + tc.round());
        }
        return true;
    }

    private void onProposal(Address from, Block block) {
        BlockHeader h = block.header();
        if (!validators.contains(from)) {
            reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "proposal from a non-member");
            return;
        }
        if (!h.proposer().equals(from)) {
            reject(from, Misbehaviour.SENDER_MISMATCH, "proposal authored by " + h.proposer());
            return;
        }
        if (h.round() + 1 < round) {
            return; // stale
        }
        Hash32 id = block.id();
        Hash32 seen = proposals.get(h.round());
        if (seen != null) {
            if (!seen.equals(id) && h.round() >= round) {
                reject(from, Misbehaviour.EQUIVOCATION, "second proposal for round " + h.round());
            }
            return;
        }
        if (!checkBlock(from, block)) {
            return;
        }
        if (!leaders.isValidLeader(h.round(), from)) {
            reject(from, Misbehaviour.NOT_LEADER, "not the leader of round " + h.round());
            return;
        }
        Node parent = tree.get(h.parentId());
        if (parent != null) {
            if (h.timestampMs() < parent.timestampMs || h.timestampMs() > now + config.maxClockSkewMs()) {
                reject(from, Misbehaviour.INVALID_TIMESTAMP, "timestamp " + h.timestampMs());
                return;
            }
        }
        // Valid: from here on the proposal changes state.
        processTc(h.timeoutCertificate(), from);
        processQc(h.justify(), from);
        if (h.round() != round) {
            return;
        }
        proposals.put(h.round(), id);
        if (parent == null) {
            parent = tree.get(h.parentId());
            if (parent == null) {
                // processQc(justify) above is fetching the parent; vote when it arrives in this round.
                waitingProposal = block;
                return;
            }
        }
        Node node = insert(block, id);
        if (node != null && node.executed()) {
            tryVote(node);
        }
    }

    /** The waiting proposal's parent arrived: take it up as if it had just been received. */
    private void resumeWaitingProposal() {
        Block block = waitingProposal;
        if (block == null) {
            return;
        }
        BlockHeader h = block.header();
        if (h.round() != round) {
            waitingProposal = null;
            return;
        }
        Node parent = tree.get(h.parentId());
        if (parent == null) {
            return;
        }
        waitingProposal = null;
        if (h.timestampMs() < parent.timestampMs || h.timestampMs() > now + config.maxClockSkewMs()) {
            reject(h.proposer(), Misbehaviour.INVALID_TIMESTAMP, "timestamp " + h.timestampMs());
            return;
        }
        Node node = insert(block, block.id());
        if (node != null && node.executed()) {
            tryVote(node);
        }
    }

    /** Adds a checked block whose parent is in the tree; returns its node, or null when the tree is full. */
    private Node insert(Block block, Hash32 id) {
        Node existing = tree.get(id);
        if (existing != null) {
            return existing;
        }
        Node parent = tree.get(block.header().parentId());
        if (parent == null || tree.size() > config.maxUncommittedBlocks()
                || block.header().height() <= decidedHead.height && parent != decidedHead) {
            return null;
        }
        BlockHeader h = block.header();
        Node node = new Node(id, h.height(), h.round(), h.parentId(), h.timestampMs(), block);
        tree.put(id, node);
        fetches.remove(id);
        if (parent.qc == null) {
            parent.qc = h.justify();
        }
        requestExecution(node);
        return node;
    }

    private void requestExecution(Node node) {
        if (node.executeRequested || node.block == null) {
            return;
        }
        Node parent = tree.get(node.parentId);
        if (parent == null || !parent.executed()) {
            return;
        }
        node.executeRequested = true;
        out.add(new ConsensusAction.ExecuteBlock(node.block));
    }

    private void onExecuted(Hash32 blockId, Hash32 stateRoot, Hash32 receiptRoot) {
        Node node = tree.get(blockId);
        if (node == null || node.executed() || !node.executeRequested) {
            return;
        }
        node.stateRoot = stateRoot;
        node.receiptRoot = receiptRoot;
        for (Node child : new ArrayList<>(tree.values())) {
            if (child.parentId.equals(blockId)) {
                requestExecution(child);
            }
        }
        if (node.round == round && node.id.equals(proposals.get(round))) {
            tryVote(node);
        }
        drainCommits();
    }

    private void tryVote(Node node) {
        VoteData data = new VoteData(node.id, node.round, node.height, node.stateRoot, node.receiptRoot);
        SafetyState before = safety.state();
        Optional<Vote> vote = safety.signVote(node.block, data);
        if (vote.isEmpty()) {
            return;
        }
        persistIfChanged(before);
        Address next = leaders.leader(node.round + 1);
        if (next.equals(self)) {
            addVote(vote.get());
        } else {
            out.add(new ConsensusAction.Send(next, new VoteMessage(vote.get())));
        }
    }

    private void maybePropose() {
        if (proposedInRound || !started || !leaders.leader(round).equals(self)) {
            return;
        }
        Node parent = tree.get(highQc.voteData().blockId());
        if (parent == null) {
            return;
        }
        TimeoutCertificate tc = null;
        if (round != highQc.round() + 1) {
            if (lastTc == null || lastTc.round() != round - 1) {
                return;
            }
            tc = lastTc;
        }
        long earliest = parent.timestampMs + config.minBlockIntervalMs();
        if (now < earliest) {
            out.add(new ConsensusAction.SetTimer(TimerKind.PROPOSE, round, earliest));
            return;
        }
        proposedInRound = true;
        List<SignedTransaction> txs = selectTransactions(parent);
        BlockHeader header = new BlockHeader(config.chainId(), parent.height + 1, round, parent.id,
                Math.max(now, parent.timestampMs), self, TxRoot.of(txs), highQc, tc);
        Block block = new Block(header, txs);
        out.add(new ConsensusAction.Broadcast(new Proposal(block)));
        onProposal(self, block);
    }

    private List<SignedTransaction> selectTransactions(Node parent) {
        if (pendingTransactions.isEmpty()) {
            return List.of();
        }
        Set<Hash32> inFlight = new HashSet<>();
        for (Node n = parent; n != null && n != committedHead; n = tree.get(n.parentId)) {
            if (n.block != null) {
                for (SignedTransaction tx : n.block.transactions()) {
                    inFlight.add(tx.id());
                }
            }
        }
        List<SignedTransaction> chosen = new ArrayList<>();
        long bytes = 1024;
        for (Map.Entry<Hash32, SignedTransaction> e : pendingTransactions.entrySet()) {
            if (chosen.size() >= config.maxBlockTransactions()) {
                break;
            }
            if (inFlight.contains(e.getKey())) {
                continue;
            }
            int size = e.getValue().encodedLength() + 8;
            if (bytes + size > config.maxBlockBytes()) {
                break;
            }
            bytes += size;
            chosen.add(e.getValue());
        }
        return chosen;
    }

    private void onTransactions(List<SignedTransaction> transactions) {
        for (SignedTransaction tx : transactions) {
            if (pendingTransactions.size() >= config.maxPendingTransactions()) {
                break;
            }
            if (recentlyCommitted.contains(tx.id())) {
                continue; // the feed crossed the commit: this one is already in the chain
            }
            pendingTransactions.putIfAbsent(tx.id(), tx);
        }
    }

    private void rememberCommitted(Hash32 txId) {
        if (recentlyCommitted.add(txId) && recentlyCommitted.size() > config.maxPendingTransactions()) {
            Iterator<Hash32> oldest = recentlyCommitted.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    // ------------------------------------------------------------------ votes

    private void onVote(Address from, Vote vote) {
        if (!validators.contains(from) || !validators.contains(vote.validator())) {
            reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "vote from a non-member");
            return;
        }
        if (!vote.validator().equals(from)) {
            reject(from, Misbehaviour.SENDER_MISMATCH, "vote signed by " + vote.validator());
            return;
        }
        long r = vote.data().round();
        if (r + 1 < round || r > round + config.maxRoundsAhead() || qcFormed.containsKey(r)) {
            return;
        }
        if (!leaders.leader(r + 1).equals(self) && leaders.knows(r + 1)) {
            return; // not ours to aggregate (a node that cannot know the leader of r + 1 collects anyway)
        }
        VoteData prior = votesBySigner.getOrDefault(r, Map.of()).get(from);
        if (prior != null) {
            if (!prior.equals(vote.data()) && certificates.verifyVote(vote)) {
                reject(from, Misbehaviour.EQUIVOCATION, "two votes in round " + r);
            }
            return;
        }
        if (!certificates.verifyVote(vote)) {
            reject(from, Misbehaviour.INVALID_SIGNATURE, "vote of round " + r);
            return;
        }
        addVote(vote);
    }

    private void addVote(Vote vote) {
        long r = vote.data().round();
        if (qcFormed.containsKey(r) || votesBySigner.computeIfAbsent(r, k -> new HashMap<>()).putIfAbsent(vote.validator(), vote.data()) != null) {
            return;
        }
        Map<Address, Vote> same = votes.computeIfAbsent(r, k -> new HashMap<>()).computeIfAbsent(vote.data(), k -> new HashMap<>());
        same.put(vote.validator(), vote);
        if (same.size() >= validators.quorum()) {
            List<ValidatorSignature> sigs = new ArrayList<>();
            for (Vote v : same.values()) {
                sigs.add(new ValidatorSignature(v.validator(), v.signature()));
            }
            sigs.sort(null);
            qcFormed.put(r, Boolean.TRUE);
            processQc(new QuorumCertificate(vote.data(), sigs), null);
        }
    }

    // ------------------------------------------------------------------ timeouts

    private void onTimeout(Address from, TimeoutMessage message) {
        Timeout t = message.timeout();
        if (!validators.contains(from) || !validators.contains(t.validator())) {
            reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "timeout from a non-member");
            return;
        }
        if (!t.validator().equals(from)) {
            reject(from, Misbehaviour.SENDER_MISMATCH, "timeout signed by " + t.validator());
            return;
        }
        if (!t.chainId().equals(config.chainId())) {
            reject(from, Misbehaviour.WRONG_CHAIN, "timeout for chain " + t.chainId());
            return;
        }
        if (t.highQc().round() >= t.round()) {
            reject(from, Misbehaviour.INVALID_ROUND, "timeout round " + t.round() + " not above its QC");
            return;
        }
        TimeoutCertificate tc = message.lastRoundTc();
        if (t.highQc().signatures().size() > validators.size() || (tc != null && tc.signatures().size() > validators.size())) {
            reject(from, Misbehaviour.OVERSIZED, "certificate with more signatures than validators");
            return;
        }
        if (t.round() + 1 < round) {
            return;
        }
        if (t.round() > round + config.maxRoundsAhead()) {
            // Far ahead: keep nothing, but its (verified) high QC tells us we are behind.
            if (certificates.verifyQc(t.highQc())) {
                processQc(t.highQc(), from);
            } else {
                reject(from, Misbehaviour.INVALID_QUORUM_CERTIFICATE, "timeout's high QC");
            }
            return;
        }
        Timeout prior = timeouts.getOrDefault(t.round(), Map.of()).get(from);
        if (prior != null && prior.equals(t)) {
            return;
        }
        if (!certificates.verifyTimeout(t)) {
            reject(from, Misbehaviour.INVALID_SIGNATURE, "timeout of round " + t.round());
            return;
        }
        if (prior != null) {
            reject(from, Misbehaviour.EQUIVOCATION, "two timeouts for round " + t.round());
            return;
        }
        if (!certificates.verifyQc(t.highQc())) {
            reject(from, Misbehaviour.INVALID_QUORUM_CERTIFICATE, "timeout's high QC");
            return;
        }
        if (tc != null && !certificates.verifyTc(tc)) {
            reject(from, Misbehaviour.INVALID_TIMEOUT_CERTIFICATE, "timeout's last-round TC");
            return;
        }
        processTc(tc, from);
        processQc(t.highQc(), from);
        addTimeout(t, from);
    }

    private void addTimeout(Timeout t, Address from) {
        if (t.round() < round) {
            return;
        }
        Map<Address, Timeout> forRound = timeouts.computeIfAbsent(t.round(), k -> new HashMap<>());
        if (forRound.putIfAbsent(t.validator(), t) != null) {
            return;
        }
        if (forRound.size() >= validators.quorum()) {
            List<org.meshchain.core.types.TimeoutSignature> sigs = new ArrayList<>();
            QuorumCertificate best = null;
            for (Timeout each : forRound.values()) {
                sigs.add(each.asTimeoutSignature());
                if (best == null || each.highQc().round() > best.round()) {
                    best = each.highQc();
                }
            }
            sigs.sort(null);
            processTc(new TimeoutCertificate(t.round(), best, sigs), from);
        } else if (forRound.size() >= validators.weakQuorum() && t.round() >= round
                && !(t.round() == round && timedOutInRound)) {
            // f+1 validators gave up on this round: at least one honest one did, so join it at once.
            enterRound(t.round());
            if (!timedOutInRound) {
                localTimeout();
            }
        }
    }

    // ------------------------------------------------------------------ sync

    private void requestSync(Address peer) {
        if (peer == null || peer.equals(self) || now - lastSyncRequestMs < config.syncRetryMs()) {
            return;
        }
        lastSyncRequestMs = now;
        out.add(new ConsensusAction.RequestSync(peer, new SyncRequest(decidedHead.height + 1, config.maxSyncBlocks())));
    }

    private void fetchBlock(QuorumCertificate qc) {
        Hash32 id = qc.voteData().blockId();
        BlockFetch fetch = fetches.get(id);
        if (fetch == null) {
            if (fetches.size() >= MAX_BLOCK_FETCHES) {
                Map.Entry<Hash32, BlockFetch> lowest = null;
                for (Map.Entry<Hash32, BlockFetch> e : fetches.entrySet()) {
                    if (lowest == null || e.getValue().certificate.voteData().height() < lowest.getValue().certificate.voteData().height()) {
                        lowest = e;
                    }
                }
                if (lowest.getValue().certificate.voteData().height() >= qc.voteData().height()) {
                    return;
                }
                fetches.remove(lowest.getKey());
            }
            fetch = new BlockFetch(qc);
            fetches.put(id, fetch);
        } else if (now - fetch.lastRequestMs < config.syncRetryMs()) {
            return;
        }
        sendFetch(fetch);
    }

    /** Asks the next signer of the certificate (they voted, so they held the block), rotating on retries. */
    private void sendFetch(BlockFetch fetch) {
        List<Address> signers = new ArrayList<>();
        for (ValidatorSignature s : fetch.certificate.signatures()) {
            if (!s.validator().equals(self) && validators.contains(s.validator())) {
                signers.add(s.validator());
            }
        }
        if (signers.isEmpty()) {
            return;
        }
        Address peer = signers.get((validators.indexOf(self) + fetch.attempts) % signers.size());
        fetch.attempts++;
        fetch.lastRequestMs = now;
        long fromHeight = Math.min(decidedHead.height + 1, fetch.certificate.voteData().height());
        out.add(new ConsensusAction.RequestBlock(peer, new ConsensusMessage.BlockRequest(fetch.certificate, fromHeight)));
    }

    private void retryFetches() {
        for (BlockFetch fetch : fetches.values()) {
            if (now - fetch.lastRequestMs >= config.syncRetryMs()) {
                sendFetch(fetch);
            }
        }
    }

    /**
     * Serves a certified block by id with its ancestors down to the requested height (from the tree,
     * then the committed store), as a {@link SyncResponse} certified by the requester's own QC, which
     * the requester verifies again. Unknown blocks get no answer.
     */
    private void onBlockRequest(Address from, ConsensusMessage.BlockRequest request) {
        if (!validators.contains(from)) {
            reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "block request from a non-member");
            return;
        }
        QuorumCertificate qc = request.certificate();
        if (qc.signatures().size() > validators.size()) {
            reject(from, Misbehaviour.OVERSIZED, "certificate with more signatures than validators");
            return;
        }
        int limit = config.maxSyncBlocks();
        List<Block> newestFirst = new ArrayList<>();
        Hash32 wanted = qc.voteData().blockId();
        long height = qc.voteData().height();
        for (Node n = tree.get(wanted); n != null && n.block != null && n.height >= request.fromHeight()
                && newestFirst.size() < limit; n = tree.get(n.parentId)) {
            if (n.height != height) {
                return;
            }
            newestFirst.add(n.block);
            wanted = n.parentId;
            height--;
        }
        // Below what the tree holds, continue in the committed store (hash-linked to what we have).
        while (height >= request.fromHeight() && height >= 1 && height <= store.height() && newestFirst.size() < limit) {
            Block b = store.blockAt(height);
            if (b == null || !b.id().equals(wanted)) {
                break;
            }
            newestFirst.add(b);
            wanted = b.header().parentId();
            height--;
        }
        if (newestFirst.isEmpty()) {
            return;
        }
        List<Block> blocks = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            blocks.add(newestFirst.get(i));
        }
        out.add(new ConsensusAction.Send(from, new SyncResponse(blocks, qc, committedHead.height)));
    }

    private void onSyncRequest(Address from, SyncRequest request) {
        if (!validators.contains(from)) {
            reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "sync request from a non-member");
            return;
        }
        int limit = Math.min(request.maxBlocks(), config.maxSyncBlocks());
        List<Block> blocks = new ArrayList<>();
        long stored = Math.min(store.height(), committedHead.height);
        long h = request.fromHeight();
        for (; h <= stored && blocks.size() < limit; h++) {
            Block b = store.blockAt(h);
            if (b == null) {
                break;
            }
            blocks.add(b);
        }
        QuorumCertificate certifying = null;
        if (!blocks.isEmpty()) {
            long last = blocks.get(blocks.size() - 1).header().height();
            certifying = last < stored ? store.blockAt(last + 1).header().justify() : store.certificateAt(last);
        }
        boolean reachedHead = blocks.isEmpty() ? request.fromHeight() > stored : h > stored;
        if (reachedHead && stored == committedHead.height) {
            // Continue along the certified chain above the committed head, up to the block of the high QC.
            List<Node> tail = new ArrayList<>();
            for (Node n = tree.get(highQc.voteData().blockId()); n != null && n != committedHead; n = tree.get(n.parentId)) {
                tail.add(n);
            }
            Node bottom = tail.isEmpty() ? null : tree.get(tail.get(tail.size() - 1).parentId);
            if (bottom == committedHead) {
                for (int i = tail.size() - 1; i >= 0 && blocks.size() < limit; i--) {
                    Node n = tail.get(i);
                    if (n.height >= request.fromHeight() && n.block != null) {
                        blocks.add(n.block);
                        certifying = i == 0 ? highQc : tail.get(i - 1).block.header().justify();
                    }
                }
            }
        }
        if (blocks.isEmpty() || certifying == null) {
            return;
        }
        out.add(new ConsensusAction.Send(from, new SyncResponse(blocks, certifying, stored)));
    }

    private void onSyncResponse(Address from, SyncResponse response) {
        List<Block> blocks = response.blocks();
        if (!validators.contains(from)) {
            reject(from, Misbehaviour.UNKNOWN_VALIDATOR, "sync response from a non-member");
            return;
        }
        if (blocks.size() > config.maxSyncBlocks()) {
            reject(from, Misbehaviour.OVERSIZED, blocks.size() + " blocks in a sync response");
            return;
        }
        if (blocks.isEmpty()) {
            reject(from, Misbehaviour.INVALID_SYNC_RESPONSE, "no blocks");
            return;
        }
        List<Hash32> ids = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            BlockHeader h = b.header();
            if (!h.chainId().equals(config.chainId()) || !b.txRootMatches()
                    || b.transactions().size() > config.maxBlockTransactions()
                    || !h.parentId().equals(h.justify().voteData().blockId()) || h.round() <= h.justify().round()
                    || h.height() != h.justify().voteData().height() + 1) {
                reject(from, Misbehaviour.INVALID_SYNC_RESPONSE, "malformed block at position " + i);
                return;
            }
            Hash32 id = b.id();
            if (i > 0) {
                BlockHeader prev = blocks.get(i - 1).header();
                if (!h.parentId().equals(ids.get(i - 1)) || h.height() != prev.height() + 1 || h.round() <= prev.round()) {
                    reject(from, Misbehaviour.INVALID_SYNC_RESPONSE, "blocks not hash-linked at position " + i);
                    return;
                }
            }
            ids.add(id);
        }
        QuorumCertificate top = response.certifyingQc();
        Block last = blocks.get(blocks.size() - 1);
        VoteData topData = top.voteData();
        if (!topData.blockId().equals(ids.get(ids.size() - 1)) || topData.round() != last.header().round()
                || topData.height() != last.header().height()) {
            reject(from, Misbehaviour.INVALID_SYNC_RESPONSE, "certificate does not certify the last block");
            return;
        }
        if (top.signatures().size() > validators.size() || !certificates.verifyQc(top)) {
            reject(from, Misbehaviour.INVALID_QUORUM_CERTIFICATE, "sync certificate");
            return;
        }
        // The whole chain is now certified: a quorum signed the last block, whose id binds its
        // ancestors through the parent hashes, and each child's justify certifies its parent.
        if (!tree.containsKey(blocks.get(0).header().parentId())) {
            return; // does not attach to our chain (stale or we moved on)
        }
        long roundBefore = round;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            Node node = tree.get(ids.get(i));
            if (node == null) {
                if (b.header().height() <= decidedHead.height) {
                    return; // conflicts with what we decided: cannot be certified unless > f faulty
                }
                node = insert(b, ids.get(i));
                if (node == null) {
                    break;
                }
            }
            if (node.qc == null) {
                node.qc = i + 1 < blocks.size() ? blocks.get(i + 1).header().justify() : top;
            }
        }
        for (Hash32 id : ids) {
            Node node = tree.get(id);
            if (node != null) {
                checkCommit(node);
            }
        }
        processQc(top, from);
        resumeWaitingProposal();
        if (round == roundBefore) {
            armRoundTimer();
        }
        if (response.responderCommittedHeight() > decidedHead.height + 1 && blocks.size() >= config.maxSyncBlocks()) {
            lastSyncRequestMs = Long.MIN_VALUE / 2;
            requestSync(from);
        }
    }
}
