package org.meshchain.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.metrics.Metrics;
import org.meshchain.node.peers.PeerState;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.NodeStatus;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.state.StateStore;

/** The node's {@link NodeServices}: reads go to the store (thread-safe), writes and proofs to the owning actors. */
final class NodeServicesImpl implements NodeServices {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    private final ChainId chainId;
    private final ValidatorSet validators;
    private final Address self;
    private final ChainStore chain;
    private final StateStore state;
    private final NodeState nodeState;
    private final Metrics metrics;
    private final Map<Address, PeerState> peers;
    private final CommitFeed feed;
    private final NodeRefs refs;
    private final SubmissionLimiter submissions;
    private volatile ActorSystem<?> system;

    NodeServicesImpl(ChainId chainId, ValidatorSet validators, Address self, ChainStore chain, StateStore state,
            NodeState nodeState, Metrics metrics, Map<Address, PeerState> peers, CommitFeed feed, NodeRefs refs,
            int maxInFlightSubmissions) {
        this.chainId = chainId;
        this.validators = validators;
        this.self = self;
        this.chain = chain;
        this.state = state;
        this.nodeState = nodeState;
        this.metrics = metrics;
        this.peers = peers;
        this.feed = feed;
        this.refs = refs;
        this.submissions = new SubmissionLimiter(maxInFlightSubmissions);
    }

    void attach(ActorSystem<?> actorSystem) {
        this.system = actorSystem;
    }

    @Override
    public ChainId chainId() {
        return chainId;
    }

    @Override
    public ValidatorSet validatorSet() {
        return validators;
    }

    @Override
    public CompletionStage<SubmitOutcome> submitTransaction(SignedTransaction transaction) {
        var mempool = refs.mempool;
        ActorSystem<?> sys = system;
        if (mempool == null || sys == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the node is not running"));
        }
        return submissions.submit(transaction,
                tx -> AskPattern.ask(mempool, replyTo -> new MempoolActor.Submit(tx, replyTo), ASK_TIMEOUT, sys.scheduler()));
    }

    /** Submissions waiting for the mempool actor now (for tests and metrics). */
    int submissionsInFlight() {
        return submissions.inFlight();
    }

    @Override
    public ChainView openChainView() {
        return chain.view();
    }

    @Override
    public Optional<Bytes> readState(Hash32 path) {
        return state.valueAtHead(path);
    }

    @Override
    public CompletionStage<StateProofResult> proveState(Hash32 path) {
        var storage = refs.storage;
        ActorSystem<?> sys = system;
        if (storage == null || sys == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the node is not running"));
        }
        return AskPattern.ask(storage, replyTo -> new StorageActor.ProveState(path, replyTo), ASK_TIMEOUT, sys.scheduler());
    }

    @Override
    public Optional<CertifiedHeader> latestCertifiedHeader() {
        try (ChainView view = chain.view()) {
            Optional<ChainStore.Head> head = view.head();
            if (head.isEmpty() || head.get().height() == 0) {
                return Optional.empty();
            }
            Optional<Block> block = view.blockAt(head.get().height());
            Optional<QuorumCertificate> qc = view.certificateAt(head.get().height());
            if (block.isEmpty() || qc.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new CertifiedHeader(block.get().header(), qc.get()));
        }
    }

    @Override
    public NodeStatus status() {
        return new NodeStatus(self, nodeState.committedHeight(), nodeState.round(), nodeState.leader(), nodeState.syncing(),
                nodeState.mempoolSize(), nodeState.storageOpen());
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public List<PeerInfo> peers() {
        long now = System.currentTimeMillis();
        List<PeerInfo> infos = new ArrayList<>(peers.size());
        for (PeerState peer : peers.values()) {
            infos.add(peer.info(now));
        }
        return infos;
    }

    @Override
    public AutoCloseable subscribeCommits(Consumer<CommittedBlock> listener) {
        return feed.subscribe(listener);
    }
}
