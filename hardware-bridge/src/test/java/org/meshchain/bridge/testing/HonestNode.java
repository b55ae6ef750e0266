package org.meshchain.bridge.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.mempool.AccountReader;
import org.meshchain.core.mempool.MempoolConfig;
import org.meshchain.core.mempool.TransactionPool;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.VoteData;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.node.metrics.Metrics;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.NodeStatus;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.chain.ChainFixtures;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.state.StateStore;

/**
 * An honest single-process stand-in for the node, for bridge tests and the bridge benchmark until the
 * real validator cluster runs in one JVM. It is not a mock: it admits transactions through core's real
 * {@link TransactionPool} (signature, chain id, nonce window, balance), executes them with the ledger
 * rules the bridge relies on (transfers, device registration with locked collateral, device reports
 * with strictly increasing counters; fees charged even when execution fails), and commits each block
 * with its post-state to a real on-disk ChainStore/StateStore, certified by a QC that 3 of its 4
 * validator keys really sign. Proofs come from the real sparse Merkle tree.
 *
 * <p>"Commit" here means: block built from the pool every {@code blockInterval}, executed, written
 * with its state in one synced RocksDB batch, then announced to subscribers. There is no network
 * consensus round: that is what the end-to-end test with the real cluster adds.
 */
public final class HonestNode implements NodeServices, AutoCloseable {

    public static final int VALIDATORS = 4;
    private static final int MAX_BLOCK_TRANSACTIONS = 5_000;

    private final ChainId chainId;
    private final List<Ed25519PrivateKey> validatorKeys = new ArrayList<>();
    private final ValidatorSet validatorSet;
    private final ChainStore chain;
    private final StateStore state;
    private final TransactionPool pool;
    private final Metrics metrics = new Metrics();
    private final ScheduledExecutorService producer;
    private final java.util.concurrent.ExecutorService mempool;
    private final List<Consumer<CommittedBlock>> listeners = new CopyOnWriteArrayList<>();
    private final List<SignedTransaction> admitted = Collections.synchronizedList(new ArrayList<>());
    private final Map<Hash32, Long> committedAt = new ConcurrentHashMap<>();
    private final Map<Hash32, String> receiptsById = new ConcurrentHashMap<>();
    private volatile CertifiedHeader latest;
    private volatile boolean paused;
    private final AccountReader accounts = new AccountReader() {
        @Override
        public long nextNonce(Address account) {
            return account(account).nextNonce();
        }

        @Override
        public long balance(Address account) {
            return account(account).balance();
        }
    };

    private HonestNode(Path dir, ChainId chainId, Map<Address, Long> genesis, long blockIntervalMs) throws Exception {
        this.chainId = chainId;
        for (int i = 0; i < VALIDATORS; i++) {
            validatorKeys.add(ChainFixtures.key(100 + i));
        }
        this.validatorSet = new ValidatorSet(validatorKeys.stream().map(Ed25519PrivateKey::publicKey).toList());
        this.chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        this.state = new StateStore(chain, 100_000, 64 * 1024);
        this.pool = new TransactionPool(new MempoolConfig(chainId, 200_000, 2_000, 256, 512 * 1024));
        this.producer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "honest-node-producer");
            t.setDaemon(true);
            return t;
        });
        this.mempool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "honest-node-mempool");
            t.setDaemon(true);
            return t;
        });
        if (chain.head().isEmpty()) {
            List<SmtUpdate> updates = new ArrayList<>();
            new TreeMap<>(genesis).forEach((address, balance) -> updates.add(
                    SmtUpdate.put(StatePaths.account(address), new AccountState(balance, 0, 0).encode())));
            updates.sort((a, b) -> a.path().compareTo(b.path()));
            commit(List.of(), List.of(), updates);
        } else {
            long height = chain.head().get().height();
            Block block = chain.blockAt(height).orElseThrow();
            latest = new CertifiedHeader(block.header(), chain.certificateAt(height).orElseThrow());
        }
        producer.scheduleWithFixedDelay(this::produceSafely, blockIntervalMs, blockIntervalMs, TimeUnit.MILLISECONDS);
    }

    /** Opens (or reopens) a node on {@code dir}; {@code genesis} funds accounts on a fresh store. */
    public static HonestNode start(Path dir, ChainId chainId, Map<Address, Long> genesis, long blockIntervalMs) {
        try {
            return new HonestNode(dir, chainId, genesis, blockIntervalMs);
        } catch (Exception e) {
            throw new IllegalStateException("honest node failed to start: " + e, e);
        }
    }

    public List<Ed25519PrivateKey> validatorKeys() {
        return List.copyOf(validatorKeys);
    }

    /** Transactions the pool admitted, in admission order. */
    public List<SignedTransaction> admitted() {
        synchronized (admitted) {
            return List.copyOf(admitted);
        }
    }

    public Optional<Long> committedHeight(Hash32 txId) {
        return Optional.ofNullable(committedAt.get(txId));
    }

    /** The committed receipt text of a transaction ("ok" or "fail:reason"). */
    public Optional<String> receipt(Hash32 txId) {
        return Optional.ofNullable(receiptsById.get(txId));
    }

    public AccountState account(Address address) {
        try {
            return state.valueAtHead(StatePaths.account(address)).map(HonestNode::decodeAccount).orElse(AccountState.EMPTY);
        } catch (RuntimeException e) {
            return AccountState.EMPTY;
        }
    }

    /** Stops producing blocks (commits pause) until {@link #resume}. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    private static AccountState decodeAccount(Bytes b) {
        try {
            return AccountState.decode(b);
        } catch (DecodeException e) {
            throw new IllegalStateException("corrupt account", e);
        }
    }

    // ---------------------------------------------------------------- NodeServices

    @Override
    public ChainId chainId() {
        return chainId;
    }

    @Override
    public ValidatorSet validatorSet() {
        return validatorSet;
    }

    @Override
    public CompletionStage<SubmitOutcome> submitTransaction(SignedTransaction transaction) {
        // on the pool's own thread, as a node's mempool actor would: the caller never runs the admission checks
        return CompletableFuture.supplyAsync(() -> admit(transaction), mempool);
    }

    private SubmitOutcome admit(SignedTransaction transaction) {
        int size = DomainCodecs.encode(transaction).length;
        long height = chain.head().map(ChainStore.Head::height).orElse(0L);
        TransactionPool.Admission admission;
        synchronized (pool) {
            admission = pool.add(transaction, size, accounts, height);
        }
        return switch (admission) {
            case TransactionPool.Accepted a -> {
                admitted.add(transaction);
                yield new SubmitOutcome.Accepted(a.txId());
            }
            case TransactionPool.Rejected r -> new SubmitOutcome.Rejected(transaction.id(), r.reason());
        };
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
        // on the producer thread: the tree is single-threaded and the version matches the header
        return CompletableFuture.supplyAsync(() -> {
            CertifiedHeader header = latest;
            long version = header.header().height() + 1;
            return new StateProofResult(path, state.valueAt(version, path), state.prove(version, path), header);
        }, producer);
    }

    @Override
    public Optional<CertifiedHeader> latestCertifiedHeader() {
        return Optional.ofNullable(latest);
    }

    @Override
    public NodeStatus status() {
        long height = chain.head().map(ChainStore.Head::height).orElse(0L);
        int size;
        synchronized (pool) {
            size = pool.size();
        }
        return new NodeStatus(validatorSet.get(0), height, height, Optional.of(validatorSet.get(0)), false, size, true);
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public List<PeerInfo> peers() {
        return List.of();
    }

    @Override
    public AutoCloseable subscribeCommits(Consumer<CommittedBlock> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---------------------------------------------------------------- block production

    private void produceSafely() {
        try {
            if (!paused) {
                produce();
            }
        } catch (Exception e) {
            System.err.println("honest node: block production failed: " + e);
            e.printStackTrace();
        }
    }

    private void produce() throws Exception {
        List<SignedTransaction> selected;
        synchronized (pool) {
            selected = pool.selectForBlock(MAX_BLOCK_TRANSACTIONS, 8L * 1024 * 1024, accounts);
        }
        if (selected.isEmpty()) {
            return;
        }
        Map<Hash32, Bytes> overlay = new HashMap<>();
        List<Bytes> receipts = new ArrayList<>(selected.size());
        for (SignedTransaction tx : selected) {
            receipts.add(Bytes.of(execute(tx, overlay).getBytes(StandardCharsets.US_ASCII)));
        }
        List<SmtUpdate> updates = new ArrayList<>();
        overlay.forEach((path, value) -> updates.add(SmtUpdate.put(path, value)));
        updates.sort((a, b) -> a.path().compareTo(b.path()));
        commit(selected, receipts, updates);
        long height = latest.header().height();
        synchronized (pool) {
            pool.onCommitted(selected, accounts, height);
        }
    }

    private void commit(List<SignedTransaction> txs, List<Bytes> receipts, List<SmtUpdate> updates) throws Exception {
        Hash32 root = state.stage(updates).root();
        long height = chain.head().map(h -> h.height() + 1).orElse(0L);
        Hash32 parent = chain.head().map(ChainStore.Head::blockId).orElse(Hash32.ZERO);
        QuorumCertificate justify = latest != null ? latest.certificate()
                : new QuorumCertificate(new VoteData(Hash32.ZERO, 0, 0, Hash32.ZERO, Hash32.ZERO), List.of());
        BlockHeader header = new BlockHeader(chainId, height, height, parent, System.currentTimeMillis(),
                validatorSet.get((int) (height % VALIDATORS)), TxRoot.of(txs), justify, null);
        Block block = new Block(header, txs);
        QuorumCertificate qc = sign(new VoteData(block.id(), height, height, root, receiptRoot(receipts)));
        state.commitBlock(block, qc, receipts);
        latest = new CertifiedHeader(header, qc);
        for (int i = 0; i < txs.size(); i++) {
            Hash32 id = txs.get(i).id();
            committedAt.put(id, height);
            receiptsById.put(id, new String(receipts.get(i).toByteArray(), StandardCharsets.US_ASCII));
        }
        CommittedBlock committed = new CommittedBlock(block, qc, receipts);
        for (Consumer<CommittedBlock> listener : listeners) {
            listener.accept(committed);
        }
    }

    private static Hash32 receiptRoot(List<Bytes> receipts) {
        StringBuilder all = new StringBuilder();
        receipts.forEach(r -> all.append(r.toHex()).append(','));
        return Hashing.tagged("Receipts", all.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** 2f+1 = 3 of the 4 validators sign the vote data (signatures sorted by validator, as the QC requires). */
    private QuorumCertificate sign(VoteData data) {
        List<ValidatorSignature> signatures = new ArrayList<>();
        for (int i = 0; i < validatorSet.quorum(); i++) {
            Ed25519PrivateKey key = validatorKeys.get(i);
            signatures.add(new ValidatorSignature(Address.of(key.publicKey()), Ed25519.sign(key, data.signingHash())));
        }
        Collections.sort(signatures);
        return new QuorumCertificate(data, signatures);
    }

    // ---------------------------------------------------------------- ledger rules

    private Bytes read(Map<Hash32, Bytes> overlay, Hash32 path) {
        Bytes pending = overlay.get(path);
        return pending != null ? pending : state.valueAtHead(path).orElse(null);
    }

    private AccountState accountIn(Map<Hash32, Bytes> overlay, Address address) {
        Bytes b = read(overlay, StatePaths.account(address));
        return b == null ? AccountState.EMPTY : decodeAccount(b);
    }

    /** Executes one transaction on the overlay; returns its receipt text. Fee and nonce are charged even on failure. */
    private String execute(SignedTransaction tx, Map<Hash32, Bytes> overlay) throws DecodeException {
        Address sender = tx.body().sender();
        AccountState from = accountIn(overlay, sender);
        long fee = tx.body().fee();
        if (from.balance() < fee || from.nextNonce() != tx.body().nonce()) {
            return "fail:cannot pay fee or wrong nonce";
        }
        AccountState charged = new AccountState(from.balance() - fee, from.locked(), from.nextNonce() + 1);
        String outcome = "ok";
        switch (tx.body().payload()) {
            case Payload.Transfer t -> {
                if (charged.balance() < t.amount()) {
                    outcome = "fail:insufficient balance";
                } else if (t.to().equals(sender)) {
                    // self-transfer: only the fee and nonce change
                } else {
                    charged = new AccountState(charged.balance() - t.amount(), charged.locked(), charged.nextNonce());
                    AccountState to = accountIn(overlay, t.to());
                    overlay.put(StatePaths.account(t.to()),
                            new AccountState(to.balance() + t.amount(), to.locked(), to.nextNonce()).encode());
                }
            }
            case Payload.RegisterDevice r -> {
                Address device = Address.of(r.deviceKey());
                if (!r.owner().equals(sender)) {
                    outcome = "fail:owner must be the sender";
                } else if (read(overlay, StatePaths.device(device)) != null) {
                    outcome = "fail:device already registered";
                } else if (charged.balance() < r.collateral()) {
                    outcome = "fail:insufficient balance for collateral";
                } else {
                    charged = new AccountState(charged.balance() - r.collateral(), charged.locked() + r.collateral(),
                            charged.nextNonce());
                    overlay.put(StatePaths.device(device), new DeviceRecord(r.deviceKey(), r.owner(), r.collateral(), 0).encode());
                }
            }
            case Payload.DeviceReport r -> {
                Bytes recordBytes = read(overlay, StatePaths.device(r.device()));
                if (recordBytes == null) {
                    outcome = "fail:device not registered";
                } else {
                    DeviceRecord record = DeviceRecord.decode(recordBytes);
                    if (!record.device().equals(sender)) {
                        outcome = "fail:report must be sent by the device";
                    } else if (r.counter() <= record.lastCounter()) {
                        outcome = "fail:report counter not above " + record.lastCounter();
                    } else {
                        overlay.put(StatePaths.device(r.device()),
                                new DeviceRecord(record.deviceKey(), record.owner(), record.collateral(), r.counter()).encode());
                    }
                }
            }
            default -> outcome = "fail:payload not executed by the honest test node";
        }
        overlay.put(StatePaths.account(sender), charged.encode());
        return outcome;
    }

    @Override
    public void close() {
        mempool.shutdown();
        producer.shutdown();
        try {
            producer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        chain.close();
    }
}
