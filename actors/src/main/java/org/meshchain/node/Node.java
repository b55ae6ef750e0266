package org.meshchain.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.meshchain.core.consensus.ConsensusConfig;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.crypto.KeystoreException;
import org.meshchain.core.mempool.MempoolConfig;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.VoteData;
import org.meshchain.node.config.ConfigError;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.node.genesis.Genesis;
import org.meshchain.node.metrics.Metrics;
import org.meshchain.node.execution.VerifiedSignatures;
import org.meshchain.node.peers.PeerManager;
import org.meshchain.node.peers.PeerState;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.wire.WireCodec;
import org.meshchain.persistence.DataLayout;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running validator: start-up in order (config, genesis, key, store, genesis commit, executor, actor
 * system), each step undone if a later one fails (no leaked RocksDB handle, port or thread); shut
 * down by {@link #stop} or SIGTERM through CoordinatedShutdown, which closes the store last.
 */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    public static final String SYSTEM_NAME = "meshchain";

    private final ActorSystem<NodeGuardian.Command> system;
    private final NodeServicesImpl services;
    private final NodeState state;
    private final Address validator;
    private final NodeConfig config;
    private final NodeMetrics metrics;
    /** Completes after the actor system terminated AND the store was closed. */
    private final java.util.concurrent.CompletableFuture<Void> closed;

    private Node(ActorSystem<NodeGuardian.Command> system, NodeServicesImpl services, NodeState state, Address validator,
            NodeConfig config, NodeMetrics metrics, java.util.concurrent.CompletableFuture<Void> closed) {
        this.system = system;
        this.services = services;
        this.state = state;
        this.validator = validator;
        this.config = config;
        this.metrics = metrics;
        this.closed = closed;
    }

    /** Validates {@code root}'s {@code meshchain.node} section and starts the node. */
    public static Node start(Config root, NodeOptions options) {
        NodeConfig config = NodeConfig.from(root);
        return start(config, root, options);
    }

    public static Node start(NodeConfig config, Config root, NodeOptions options) {
        Genesis genesis = Genesis.read(config.genesisFile());
        Ed25519PrivateKey key = options.key() != null ? options.key() : readKey(config);
        Address self = Address.of(key.publicKey());
        if (!genesis.validatorSet().contains(self)) {
            throw new ConfigError(NodeConfig.ROOT + ".key-file", config.keyFile(),
                    "the key's address " + self + " is not a validator in the genesis file");
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            DataLayout layout = new DataLayout(config.dataDirectory());
            ChainStoreConfig storeConfig = ChainStoreConfig.DEFAULT.withQuotaBytes(config.storage().quotaBytes())
                    .withRetentionBlocks(config.storage().retentionBlocks())
                    .withMaxBlockBytes(Math.max(config.consensus().maxBlockBytes(), 1024));
            ChainStore chain = ChainStore.open(layout.chain(), storeConfig, DomainCodecs.DEFAULT);
            opened.add(chain);
            StateStore stateStore = new StateStore(chain, 100_000, 1 << 20);
            QuorumCertificate genesisQc = commitGenesis(genesis, chain, stateStore);

            ConsensusConfig consensus = consensusConfig(genesis, genesisQc, config);
            MempoolConfig mempool = new MempoolConfig(genesis.chainId(), config.mempool().capacity(),
                    config.mempool().maxPerSender(), config.mempool().maxNonceGap(), config.mempool().maxTxBytes());
            VerifiedSignatures verified = new VerifiedSignatures(config.verifiedSignatureCache(), VerifiedSignatures.Listener.NONE);
            BlockExecutor executor = options.executors().create(genesis.chainId(), chain, stateStore, executorThreads(config),
                    verified);
            if (executor instanceof AutoCloseable closeable) {
                opened.add(closeable);
            }

            NodeState nodeState = new NodeState();
            nodeState.committed(chain.head().orElseThrow().height(), 0);
            Metrics registry = new Metrics();
            NodeMetrics metrics = new NodeMetrics(registry, nodeState);
            verified.setListener(metrics.verifiedSignatureListener());
            Map<Address, PeerState> peerStates = PeerManager.newStates(self, consensus.validators(), config.peerLimits());
            for (PeerState peer : peerStates.values()) {
                registry.gauge("meshchain_peer_score_" + peer.validator().toHex().substring(0, 16),
                        "Score of validator " + peer.validator() + " as this node rates it", peer::score);
            }
            CommitFeed feed = new CommitFeed();
            NodeRefs refs = new NodeRefs();
            NodeServicesImpl services = new NodeServicesImpl(genesis.chainId(), consensus.validators(), self, chain,
                    stateStore, nodeState, registry, peerStates, feed, refs, config.mempool().maxInFlightSubmissions());
            WireCodec codec = new WireCodec(DomainCodecs.DEFAULT, consensus.maxSyncBlocks(), config.mempool().gossipBatch(),
                    config.sync().batchBlocks());
            NodeGuardian.Setup setup = new NodeGuardian.Setup(config, consensus, mempool, key, chain, stateStore, executor,
                    nodeState, metrics, feed, peerStates, options.inspector(), options.extensions(), services, refs, codec,
                    SYSTEM_NAME, verified);

            Config pekko = pekkoConfig(config, root);
            ActorSystem<NodeGuardian.Command> system = ActorSystem.create(NodeGuardian.create(setup), SYSTEM_NAME, pekko);
            services.attach(system);
            List<AutoCloseable> toClose = List.copyOf(opened);
            java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
            system.getWhenTerminated().whenComplete((done, error) -> {
                nodeState.setStorageOpen(false);
                closeAll(toClose);
                LOG.info("validator {} stopped; store closed", self);
                closed.complete(null);
            });
            // On SIGTERM Pekko's own hook runs CoordinatedShutdown; this one keeps the JVM alive until the
            // store is closed after the actor system terminated (hooks run concurrently).
            Thread waitForClose = new Thread(() -> {
                try {
                    closed.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("validator {}: store not closed within 60 s of shutdown: {}", self, e.toString());
                }
            }, "meshchain-close-" + self.toHex().substring(0, 8));
            Runtime.getRuntime().addShutdownHook(waitForClose);
            closed.whenComplete((done, error) -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(waitForClose);
                } catch (IllegalStateException shutdownInProgress) {
                    // the JVM is exiting: the hook is running and returns now
                }
            });
            Node node = new Node(system, services, nodeState, self, config, metrics, closed);
            LOG.info("validator {} started on {}:{} at committed height {}", self, config.host(), config.port(),
                    nodeState.committedHeight());
            return node;
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        } catch (CommitRejectedException e) {
            closeAll(opened);
            throw new IllegalStateException("the genesis state could not be committed: " + e.getMessage(), e);
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", resources.get(i), e.toString());
            }
        }
    }

    /** The genesis QC; commits the genesis block and state at first start, checks them afterwards. */
    static QuorumCertificate commitGenesis(Genesis genesis, ChainStore chain, StateStore state) throws CommitRejectedException {
        Block block = genesis.block();
        Hash32 root = genesis.stateRoot();
        QuorumCertificate qc = new QuorumCertificate(new VoteData(block.id(), 0, 0, root, Hash32.ZERO), List.of());
        Optional<ChainStore.Head> head = chain.head();
        if (head.isEmpty()) {
            state.stage(genesis.stateUpdates());
            state.commitBlock(block, qc, List.of());
            LOG.info("genesis committed: chain {}, block {}, state root {}", genesis.chainId(), block.id(), root);
            return qc;
        }
        Optional<QuorumCertificate> stored = chain.certificateAt(0);
        if (stored.isEmpty() || !stored.get().equals(qc)) {
            throw new IllegalStateException("the store in this data directory belongs to another genesis (stored genesis "
                    + stored.map(q -> q.voteData().blockId().toString()).orElse("missing") + ", genesis file gives "
                    + block.id() + ")");
        }
        return qc;
    }

    /** {@code meshchain.node.execution.executors}, 0 meaning one per core. */
    static int executorThreads(NodeConfig config) {
        return config.executors() == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors()) : config.executors();
    }

    static ConsensusConfig consensusConfig(Genesis genesis, QuorumCertificate genesisQc, NodeConfig config) {
        ConsensusConfig d = ConsensusConfig.defaults(genesis.chainId(), genesis.validatorSet(), genesisQc.voteData().blockId(),
                genesisQc.voteData().stateRoot());
        NodeConfig.Consensus c = config.consensus();
        return new ConsensusConfig(d.chainId(), d.validators(), d.genesisBlockId(), d.genesisStateRoot(),
                c.baseTimeout().toMillis(), d.maxBackoffExponent(), c.timeoutRebroadcast().toMillis(),
                c.minBlockInterval().toMillis(), d.maxClockSkewMs(), d.reputationWindow(), d.reputationLag(),
                d.reviveEvery(), d.maxRoundsAhead(), Math.max(d.maxUncommittedBlocks(), c.maxSyncBlocks() + 8),
                d.maxPendingTransactions(), c.maxBlockTransactions(), c.maxBlockBytes(), c.maxSyncBlocks(),
                d.syncRetryMs(), c.syncLagBlocks());
    }

    /** Pekko settings of every validator (serializers, cluster, persistence plugins, Artery limits). */
    public static final Config PEKKO_SETTINGS = ConfigFactory.parseResources(Node.class.getClassLoader(), "meshchain-pekko.conf");

    static Config pekkoConfig(NodeConfig config, Config root) {
        List<String> seeds = new ArrayList<>();
        for (String seed : config.seedNodes()) {
            seeds.add("pekko://" + SYSTEM_NAME + "@" + seed);
        }
        String data = config.dataDirectory().toAbsolutePath().toString();
        Config tls = ConfigFactory.empty();
        if (config.tls().enabled()) {
            String password;
            try {
                password = Files.readString(config.tls().passwordFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigError(NodeConfig.ROOT + ".tls.password-file", config.tls().passwordFile(),
                        "must be readable: " + e.getMessage());
            }
            String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
            tls = ConfigFactory.empty()
                    .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
                    .withValue(engine + "key-store", ConfigValueFactory.fromAnyRef(config.tls().keyStore().toAbsolutePath().toString()))
                    .withValue(engine + "trust-store",
                            ConfigValueFactory.fromAnyRef(config.tls().trustStore().toAbsolutePath().toString()))
                    .withValue(engine + "key-store-password", ConfigValueFactory.fromAnyRef(password))
                    .withValue(engine + "key-password", ConfigValueFactory.fromAnyRef(password))
                    .withValue(engine + "trust-store-password", ConfigValueFactory.fromAnyRef(password))
                    .withValue(engine + "protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"))
                    .withValue(engine + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true));
        }
        return tls
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(config.host()))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(config.port()))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
                .withValue("meshchain.persistence.journal.dir", ConfigValueFactory.fromAnyRef(data + "/journal"))
                .withValue("meshchain.persistence.snapshot-store.dir", ConfigValueFactory.fromAnyRef(data + "/snapshots"))
                .withFallback(org.meshchain.node.execution.ExecutorPool.dispatcherConfig(executorThreads(config)))
                .withFallback(PEKKO_SETTINGS)
                .withFallback(root)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    static Ed25519PrivateKey readKey(NodeConfig config) {
        char[] passphrase;
        try {
            if (config.passphraseFile() != null) {
                String text = Files.readString(config.passphraseFile(), StandardCharsets.UTF_8);
                passphrase = (text.endsWith("\n") ? text.substring(0, text.length() - 1) : text).toCharArray();
            } else if (System.getenv("MESHCHAIN_PASSPHRASE") != null) {
                passphrase = System.getenv("MESHCHAIN_PASSPHRASE").toCharArray();
            } else if (System.console() != null) {
                passphrase = System.console().readPassword("Passphrase for %s: ", config.keyFile());
            } else {
                throw new ConfigError(NodeConfig.ROOT + ".passphrase-file", "missing",
                        "set it, or MESHCHAIN_PASSPHRASE, or run on a terminal to type the keystore passphrase");
            }
            byte[] keystore = Files.readAllBytes(config.keyFile());
            return Keystore.decrypt(keystore, passphrase);
        } catch (IOException e) {
            throw new ConfigError(NodeConfig.ROOT + ".key-file", config.keyFile(), "must be a readable keystore: " + e.getMessage());
        } catch (KeystoreException e) {
            throw new ConfigError(NodeConfig.ROOT + ".key-file", config.keyFile(), "does not open: " + e.getMessage());
        }
    }

    public NodeServices services() {
        return services;
    }

    public NodeState state() {
        return state;
    }

    public Address validator() {
        return validator;
    }

    /** Committed transactions per second over the last 10 s. */
    public double tps() {
        return metrics.tps();
    }

    public NodeConfig config() {
        return config;
    }

    public ActorSystem<NodeGuardian.Command> system() {
        return system;
    }

    /** Why the node stopped itself (e.g. "storage failed"), if it did. */
    public Optional<String> failure() {
        return CoordinatedShutdown.get(system).getShutdownReason()
                .filter(r -> r instanceof NodeGuardian.StorageFailed)
                .map(r -> (Object) r).map(Object::toString);
    }

    /** Completes once the node stopped (for whatever reason) and its store is closed. */
    public CompletionStage<Void> whenTerminated() {
        return closed;
    }

    /** Graceful stop through CoordinatedShutdown (the same path as SIGTERM); waits up to 30 s. */
    public void stop() {
        CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
        try {
            closed.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("validator {} did not stop within 30 s: {}", validator, e.toString());
        }
    }

    @Override
    public void close() {
        stop();
    }
}
