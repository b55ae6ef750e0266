package org.meshchain.node.api;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.mempool.MempoolRejection;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.VoteData;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.node.execution.ChainStoreCommittedState;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.execution.SerialBlockExecutor;
import org.meshchain.wasm.WasmContractRuntime;
import org.meshchain.wasm.WasmRuntime;
import org.meshchain.node.metrics.Metrics;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.NodeStatus;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.state.StateStore;

/**
 * A node for API and CLI tests, on a real RocksDB chain and state store: it admits transactions with
 * the signature/chain/expiry/nonce/duplicate checks a mempool makes, executes blocks of them with the
 * real serial executor (ledger rules, receipts, roots), commits them with certificates signed by its
 * validator keys, and notifies commit listeners.
 */
public final class ChainBackedNode implements NodeServices, AutoCloseable {

    public static final ChainId CHAIN = new ChainId("api-test");
    private static final int MAX_VALUE_BYTES = 1 << 20;
    private static WasmRuntime sharedWasm;

    /** One GraalWasm runtime for all test nodes of the JVM (its engine is expensive to start). */
    private static synchronized WasmRuntime wasm() {
        if (sharedWasm == null) {
            sharedWasm = new WasmRuntime();
        }
        return sharedWasm;
    }

    private final ChainStore store;
    private final StateStore state;
    private final List<Ed25519PrivateKey> validatorKeys;
    private final ValidatorSet validators;
    private final Metrics metrics = new Metrics();
    private final List<Consumer<CommittedBlock>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Hash32, SignedTransaction> mempool = new LinkedHashMap<>();
    private final SerialBlockExecutor executor;
    private volatile List<PeerInfo> peers = List.of();
    private volatile boolean storageOpen = true;
    private volatile boolean syncing;
    private volatile boolean failingReads;
    private volatile boolean lyingProofs;
    private volatile CompletableFuture<StateProofResult> stalledProofs;
    private volatile long round;
    public ChainBackedNode(Path directory, List<Ed25519PrivateKey> validatorKeys) {
        this.store = ChainStore.open(directory, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        this.state = new StateStore(store, 10_000, MAX_VALUE_BYTES);
        this.validatorKeys = List.copyOf(validatorKeys);
        this.validators = new ValidatorSet(validatorKeys.stream().map(Ed25519PrivateKey::publicKey).toList());
        this.executor = new SerialBlockExecutor(new Ledger(Ledger.Config.of(CHAIN), new WasmContractRuntime(wasm())),
                new ChainStoreCommittedState(store, 10_000, MAX_VALUE_BYTES), Runnable::run);
        metrics.gauge("meshchain_committed_height", "committed height", () -> store.head().map(ChainStore.Head::height).orElse(-1L));
    }

    public static Ed25519PrivateKey key(int n) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) n);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    public Address self() {
        return Address.of(validatorKeys.get(0).publicKey());
    }

    public void setPeers(List<PeerInfo> peers) {
        this.peers = List.copyOf(peers);
    }

    public void setStorageOpen(boolean open) {
        this.storageOpen = open;
    }

    public void setSyncing(boolean syncing) {
        this.syncing = syncing;
    }

    /** While set, chain and state reads fail as a broken disk would. */
    public void setFailingReads(boolean failing) {
        this.failingReads = failing;
    }

    /** While set, proofs never complete (a node too busy to answer). */
    public void setStalledProofs(boolean stalled) {
        this.stalledProofs = stalled ? new CompletableFuture<>() : null;
    }

    /** While set, proofs claim a value the tree does not hold (a buggy or lying node). */
    public void setLyingProofs(boolean lying) {
        this.lyingProofs = lying;
    }

    private void checkReadable() {
        if (failingReads) {
            throw new org.meshchain.persistence.chain.StorageException("read failed: injected disk error", null);
        }
    }

    // ---------------------------------------------------------------- driving the chain

    /**
     * Commits the next block. With transactions, the block is executed by the real serial executor
     * (ledger rules, receipts, state root); {@code extraState} writes (genesis funding, fixtures) are
     * only allowed in a block without transactions.
     */
    public synchronized Block commit(List<SignedTransaction> txs, Map<Hash32, Bytes> extraState) {
        if (!txs.isEmpty() && !extraState.isEmpty()) {
            throw new IllegalArgumentException("extra state writes go in a block without transactions");
        }
        long height = store.head().map(h -> h.height() + 1).orElse(0L);
        Hash32 parent = store.head().map(ChainStore.Head::blockId).orElse(Hash32.ZERO);
        QuorumCertificate parentQc = latestCertificate().orElse(
                new QuorumCertificate(new VoteData(Hash32.ZERO, 0, 0, Hash32.ZERO, Hash32.ZERO), List.of()));
        round = height + 1;
        BlockHeader header = new BlockHeader(CHAIN, height, round, parent, System.currentTimeMillis(), self(),
                TxRoot.of(txs), parentQc, null);
        Block block = new Block(header, txs);
        List<SmtUpdate> updates;
        List<Bytes> blockReceipts;
        Hash32 receiptRoot;
        if (txs.isEmpty()) {
            updates = new ArrayList<>();
            new TreeMap<>(extraState).forEach((path, value) -> updates.add(SmtUpdate.put(path, value)));
            blockReceipts = List.of();
            receiptRoot = Hash32.ZERO;
        } else {
            ExecutedBlock executed = executor.executeNow(block, List.of());
            updates = executed.stateUpdates();
            blockReceipts = executed.receipts();
            receiptRoot = executed.receiptRoot();
        }
        Hash32 root = state.stage(updates).root();
        QuorumCertificate qc = sign(new VoteData(block.id(), round, height, root, receiptRoot));
        try {
            state.commitBlock(block, qc, blockReceipts);
        } catch (CommitRejectedException e) {
            throw new IllegalStateException("test chain refused its own block: " + e.getMessage(), e);
        }
        txs.forEach(tx -> mempool.remove(tx.id()));
        CommittedBlock committed = new CommittedBlock(block, qc, blockReceipts);
        listeners.forEach(l -> l.accept(committed));
        return block;
    }

    /** Commits everything admitted so far (in admission order). */
    public synchronized Block commitPending() {
        return commit(new ArrayList<>(mempool.values()), Map.of());
    }

    public synchronized int pendingCount() {
        return mempool.size();
    }

    /** Delivers {@code block} to commit listeners again, without storing it (for event-stream load). */
    public void republish(CommittedBlock block) {
        listeners.forEach(l -> l.accept(block));
    }

    private AccountState account(Address address, Map<Hash32, Bytes> writes) {
        Bytes value = writes.get(StatePaths.account(address));
        if (value == null) {
            value = state.valueAtHead(StatePaths.account(address)).orElse(null);
        }
        try {
            return value == null ? AccountState.EMPTY : AccountState.decode(value);
        } catch (DecodeException e) {
            throw new IllegalStateException(e);
        }
    }

    private QuorumCertificate sign(VoteData data) {
        List<ValidatorSignature> signatures = new ArrayList<>();
        for (Ed25519PrivateKey key : validatorKeys) {
            signatures.add(new ValidatorSignature(Address.of(key.publicKey()), Ed25519.sign(key, data.signingHash())));
        }
        signatures.sort(null);
        return new QuorumCertificate(data, signatures);
    }

    private Optional<QuorumCertificate> latestCertificate() {
        return store.head().flatMap(h -> store.certificateAt(h.height()));
    }

    // ---------------------------------------------------------------- NodeServices

    @Override
    public ChainId chainId() {
        return CHAIN;
    }

    @Override
    public ValidatorSet validatorSet() {
        return validators;
    }

    /** When above 0, every submission is refused as {@code busy} with this in-flight limit (as a node at its bound). */
    volatile int busyAtLimit;

    @Override
    public synchronized CompletionStage<SubmitOutcome> submitTransaction(SignedTransaction tx) {
        Hash32 id = tx.id();
        if (busyAtLimit > 0) {
            return CompletableFuture.completedFuture(new SubmitOutcome.Rejected(id, new MempoolRejection.Busy(busyAtLimit)));
        }
        MempoolRejection rejection = null;
        long height = store.head().map(ChainStore.Head::height).orElse(-1L);
        long nextNonce = account(tx.body().sender(), Map.of()).nextNonce();
        if (!tx.body().chainId().equals(CHAIN)) {
            rejection = new MempoolRejection.WrongChain(CHAIN, tx.body().chainId());
        } else if (!tx.hasValidSignature()) {
            rejection = new MempoolRejection.BadSignature();
        } else if (mempool.containsKey(id)) {
            rejection = new MempoolRejection.Duplicate(id);
        } else if (tx.body().expiryHeight() <= height) {
            rejection = new MempoolRejection.Expired(tx.body().expiryHeight(), height);
        } else if (tx.body().nonce() < nextNonce) {
            rejection = new MempoolRejection.NonceTooLow(nextNonce, tx.body().nonce());
        }
        if (rejection != null) {
            return CompletableFuture.completedFuture(new SubmitOutcome.Rejected(id, rejection));
        }
        mempool.put(id, tx);
        return CompletableFuture.completedFuture(new SubmitOutcome.Accepted(id));
    }

    @Override
    public ChainView openChainView() {
        checkReadable();
        return store.view();
    }

    @Override
    public Optional<Bytes> readState(Hash32 path) {
        checkReadable();
        return state.valueAtHead(path);
    }

    @Override
    public synchronized CompletionStage<StateProofResult> proveState(Hash32 path) {
        CompletableFuture<StateProofResult> stalled = stalledProofs;
        if (stalled != null) {
            return stalled;
        }
        long version = state.latestVersion();
        CertifiedHeader header = latestCertifiedHeader().orElseThrow(() -> new IllegalStateException("nothing committed yet"));
        Optional<Bytes> value = lyingProofs ? Optional.of(Bytes.of(new byte[] {1, 2, 3})) : state.valueAt(version, path);
        return CompletableFuture.completedFuture(new StateProofResult(path, value, state.prove(version, path), header));
    }

    @Override
    public Optional<CertifiedHeader> latestCertifiedHeader() {
        try (ChainView view = store.view()) {
            return view.head().flatMap(h -> view.blockAt(h.height())
                    .flatMap(b -> view.certificateAt(h.height()).map(qc -> new CertifiedHeader(b.header(), qc))));
        }
    }

    @Override
    public NodeStatus status() {
        return new NodeStatus(self(), store.head().map(ChainStore.Head::height).orElse(-1L), round,
                Optional.of(self()), syncing, pendingCount(), storageOpen);
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public List<PeerInfo> peers() {
        return peers;
    }

    @Override
    public AutoCloseable subscribeCommits(Consumer<CommittedBlock> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public int listenerCount() {
        return listeners.size();
    }

    @Override
    public void close() {
        store.close();
    }

    /** A peer entry for tests. */
    public static PeerInfo peer(Ed25519PrivateKey key, boolean connected, double score, Instant bannedUntil) {
        return new PeerInfo(Address.of(key.publicKey()), connected, score, Optional.ofNullable(bannedUntil));
    }
}
