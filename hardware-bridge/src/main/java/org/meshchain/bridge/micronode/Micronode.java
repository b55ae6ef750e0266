package org.meshchain.bridge.micronode;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.ChainMessages;
import org.meshchain.bridge.protocol.DeviceFrame;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.bridge.protocol.LightClient;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.port.CertifiedHeader;

/**
 * The device side in Java: what an ESP32 micronode does, with the robustness the micronode audit
 * asked for. State on "flash" goes through {@link AtomicStore} (temp + fsync + rename + directory
 * fsync, hash-verified on read); headers and UTXOs sit in bounded write-through {@link LruCache}s;
 * the frame counter is leased in blocks persisted BEFORE use, so a crash never makes the device reuse
 * a counter (the bridge would reject it as a replay); start-up takes a lock on the data directory and
 * rolls everything back (lock, connection) if any step fails; {@link #health()} never throws. Headers
 * are trusted only with 2f+1 valid signatures of the provisioned validator set, state only with a
 * Merkle proof against such a header.
 */
public final class Micronode implements AutoCloseable {

    private static final long LEASE_BLOCK = 256;
    private static final String STATE = "state";
    private static final String ACCOUNT = "account";

    /** A signed frame ready to publish (signing is separate so a fleet can prepare frames ahead). */
    public record Prepared(long counter, DeviceTopics.Inbound channel, byte[] frame, Optional<Hash32> transactionId) {}

    /** What the device knows about its own health; built without throwing. */
    public record Health(boolean ok, boolean connected, boolean storageWritable, long trustedHeight, long lastCounter,
            long nextNonce, int pendingFrames, String problem) {}

    /** A proof reply whose header and every value verified. */
    public record VerifiedProof(CertifiedHeader header, List<ChainMessages.ProvedValue> values) {}

    private static final class Pending {
        final long sentNanos = System.nanoTime();
        final CompletableFuture<BridgeReply> first = new CompletableFuture<>();
        final CompletableFuture<BridgeReply> committed = new CompletableFuture<>();
    }

    private final MicronodeConfig config;
    private final Ed25519PrivateKey key;
    private final Address self;
    private final DeviceTopics topics;
    private final LightClient lightClient;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final AtomicStore store;
    private final LruCache<CertifiedHeader> headers;
    private final LruCache<Payload.UtxoOutput> utxos;
    private final Mqtt3AsyncClient client;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<VerifiedProof>> proofRequests = new ConcurrentHashMap<>();
    private final AtomicReference<String> lastProblem = new AtomicReference<>("");
    private final AtomicLong rejectedHeaders = new AtomicLong();
    private final CompletableFuture<Void> startupFailure = new CompletableFuture<>();
    private long nextCounter;
    private long counterLease;
    private long nextNonce;
    private volatile long trustedHeight = -1;
    private long persistedHeight = -1;
    private long lastHeaderPersistNanos;
    private volatile CertifiedHeader trustedHeader;

    private Micronode(MicronodeConfig config, Ed25519PrivateKey key, FileChannel lockChannel, FileLock lock, AtomicStore store)
            throws IOException {
        this.config = config;
        this.key = key;
        this.self = Address.of(key.publicKey());
        this.topics = new DeviceTopics(config.chainId());
        this.lightClient = new LightClient(config.chainId(), config.validatorSet());
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.store = store;
        this.headers = new LruCache<>(store, "header-", new LruCache.Codec<>() {
            public byte[] encode(CertifiedHeader h) {
                return ChainMessages.encodeHeader(h);
            }

            public CertifiedHeader decode(byte[] bytes) throws Exception {
                return ChainMessages.decodeHeader(bytes, DomainCodecs.DEFAULT);
            }
        }, config.headerCacheEntries());
        this.utxos = new LruCache<>(store, "utxo-", new LruCache.Codec<>() {
            public byte[] encode(Payload.UtxoOutput o) {
                return new CanonicalWriter(40).fixed(o.owner().hash().toByteArray()).u64(o.amount()).toByteArray();
            }

            public Payload.UtxoOutput decode(byte[] bytes) throws Exception {
                CanonicalReader r = new CanonicalReader(bytes);
                Payload.UtxoOutput out = new Payload.UtxoOutput(new Address(Hash32.of(r.fixed("owner", 32))), r.u63("amount"));
                r.finish("utxo");
                return out;
            }
        }, config.utxoCacheEntries());
        loadState();
        this.client = Mqtt3Client.builder()
                .identifier("d" + self.toHex().substring(0, 22))
                .serverHost(config.brokerHost()).serverPort(config.brokerPort())
                .automaticReconnect().initialDelay(200, TimeUnit.MILLISECONDS).maxDelay(10, TimeUnit.SECONDS).applyAutomaticReconnect()
                .addDisconnectedListener(ctx -> {
                    if (!startupFailure.isDone()) {
                        // during start-up a failed connect fails the start (and rolls it back) instead of retrying
                        startupFailure.completeExceptionally(ctx.getCause());
                        ctx.getReconnector().reconnect(false);
                    }
                })
                .willPublish().topic(topics.inbound(self, DeviceTopics.Inbound.STATUS)).payload(new byte[] {'0'})
                .qos(MqttQos.AT_LEAST_ONCE).retain(true).applyWillPublish()
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, p -> onMessage(p.getTopic().toString(), p.getPayloadAsBytes()));
    }

    /**
     * Starts a micronode: locks its data directory, loads and verifies its state, connects, subscribes
     * and announces itself. If any step fails, what was done is undone (connection closed, lock released)
     * and the error is thrown; nothing half-started stays behind.
     */
    public static Micronode start(MicronodeConfig config, Ed25519PrivateKey key) throws IOException {
        AtomicStore store = new AtomicStore(config.dataDir());
        FileChannel lockChannel = FileChannel.open(config.dataDir().resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by another micronode in this JVM (a fleet)
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("data directory " + config.dataDir() + " is in use by another micronode");
        }
        Micronode node = null;
        try {
            node = new Micronode(config, key, lockChannel, lock, store);
            node.connect();
            return node;
        } catch (IOException | RuntimeException e) {
            if (node != null) {
                node.client.disconnect().exceptionally(x -> null);
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    private void connect() throws IOException {
        try {
            CompletableFuture.anyOf(client.connectWith().cleanSession(true).keepAlive(30).send(), startupFailure)
                    .get(10, TimeUnit.SECONDS);
            startupFailure.complete(null); // from now on, connection loss means reconnect with backoff
            CompletableFuture.allOf(
                    client.subscribeWith().topicFilter(topics.reply(self)).qos(MqttQos.AT_LEAST_ONCE).send(),
                    client.subscribeWith().topicFilter(topics.proof(self)).qos(MqttQos.AT_LEAST_ONCE).send(),
                    config.followHeaders()
                            ? client.subscribeWith().topicFilter(topics.headers()).qos(MqttQos.AT_LEAST_ONCE).send()
                            : CompletableFuture.completedFuture(null))
                    .get(10, TimeUnit.SECONDS);
            client.publishWith().topic(topics.inbound(self, DeviceTopics.Inbound.STATUS)).payload(new byte[] {'1'})
                    .qos(MqttQos.AT_LEAST_ONCE).retain(true).send().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("micronode " + self.toHex().substring(0, 12) + " could not reach the broker "
                    + config.brokerHost() + ":" + config.brokerPort() + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- persistent state

    private void loadState() throws IOException {
        Optional<byte[]> stored = store.read(STATE);
        if (stored.isEmpty()) {
            counterLease = 0;
            nextCounter = 1;
            nextNonce = 0;
            return;
        }
        try {
            CanonicalReader r = new CanonicalReader(stored.get());
            counterLease = r.u63("counter_lease");
            nextNonce = r.u63("next_nonce");
            trustedHeight = r.u63("persisted_header_height") - 1;
            r.finish("state");
        } catch (DecodeException e) {
            throw new AtomicStore.CorruptFileException(store.directory().resolve(STATE), e.getMessage());
        }
        // counters up to the lease may have been used before a crash: never reuse them
        nextCounter = counterLease + 1;
        if (trustedHeight >= 0) {
            trustedHeader = headers.get(Long.toString(trustedHeight)).orElse(null);
            persistedHeight = trustedHeader == null ? -1 : trustedHeight;
        }
    }

    private void saveState() throws IOException {
        // the state names only a header that is on flash
        store.write(STATE, new CanonicalWriter(32).u64(counterLease).u64(nextNonce).u64(persistedHeight + 1).toByteArray());
    }

    private synchronized long takeCounter() throws IOException {
        if (nextCounter > counterLease) {
            counterLease = nextCounter + LEASE_BLOCK - 1;
            saveState(); // durable BEFORE any counter of the new block leaves the device
        }
        return nextCounter++;
    }

    // ---------------------------------------------------------------- frames

    public Address address() {
        return self;
    }

    public synchronized long nextNonce() {
        return nextNonce;
    }

    public synchronized void setNextNonce(long nonce) throws IOException {
        nextNonce = nonce;
        saveState();
    }

    public Prepared prepareTransfer(Address to, long amount) throws IOException {
        return prepare(DeviceTopics.Inbound.TX, counter -> new Payload.Transfer(to, amount), DeviceFrame.Transaction::new);
    }

    public Prepared prepareReport(byte[] data) throws IOException {
        return prepare(DeviceTopics.Inbound.REPORT, counter -> new Payload.DeviceReport(self, counter, Bytes.of(data)),
                DeviceFrame.Report::new);
    }

    /** Takes the next counter and nonce, signs the transaction and wraps it in a signed frame for {@code channel}. */
    private Prepared prepare(DeviceTopics.Inbound channel, java.util.function.LongFunction<Payload> payloadForCounter,
            java.util.function.Function<SignedTransaction, DeviceFrame.Body> frameBody) throws IOException {
        long counter;
        long nonce;
        synchronized (this) {
            counter = takeCounter();
            nonce = nextNonce++;
        }
        SignedTransaction tx = SignedTransaction.sign(new TransactionBody(config.chainId(), self, nonce, config.fee(),
                Long.MAX_VALUE, payloadForCounter.apply(counter)), key);
        return new Prepared(counter, channel,
                DeviceFrame.sign(config.chainId(), counter, frameBody.apply(tx), key).encode(), Optional.of(tx.id()));
    }

    /**
     * Publishes a prepared frame; the first future completes with the bridge's first reply (ACCEPTED or
     * a rejection), the second with COMMITTED. Fails at once past {@code max-pending-frames}.
     */
    public CompletableFuture<BridgeReply>[] send(Prepared prepared) {
        Pending p = new Pending();
        @SuppressWarnings("unchecked")
        CompletableFuture<BridgeReply>[] futures = new CompletableFuture[] {p.first, p.committed};
        if (pending.size() >= config.maxPendingFrames()) {
            IllegalStateException full = new IllegalStateException("too many frames awaiting a reply");
            p.first.completeExceptionally(full);
            p.committed.completeExceptionally(full);
            return futures;
        }
        pending.put(prepared.counter(), p);
        client.publishWith().topic(topics.inbound(self, prepared.channel())).qos(MqttQos.AT_LEAST_ONCE)
                .payload(prepared.frame()).send().whenComplete((ok, failure) -> {
                    if (failure != null) {
                        pending.remove(prepared.counter());
                        p.first.completeExceptionally(failure);
                        p.committed.completeExceptionally(failure);
                    }
                });
        return futures;
    }

    /** Nanoseconds since a pending frame was sent (for latency figures); -1 if unknown. */
    public long sentNanos(long counter) {
        Pending p = pending.get(counter);
        return p == null ? -1 : p.sentNanos;
    }

    /** Asks for proofs of {@code paths}; completes only with a reply whose header and proofs all verified. */
    public CompletableFuture<VerifiedProof> requestProof(List<Hash32> paths) throws IOException {
        long counter = takeCounter();
        CompletableFuture<VerifiedProof> result = new CompletableFuture<>();
        proofRequests.put(counter, result);
        byte[] frame = DeviceFrame.sign(config.chainId(), counter, new DeviceFrame.ProofRequest(paths), key).encode();
        client.publishWith().topic(topics.inbound(self, DeviceTopics.Inbound.PROOF_REQUEST)).qos(MqttQos.AT_LEAST_ONCE)
                .payload(frame).send().whenComplete((ok, failure) -> {
                    if (failure != null) {
                        proofRequests.remove(counter);
                        result.completeExceptionally(failure);
                    }
                });
        return result.orTimeout(30, TimeUnit.SECONDS).whenComplete((v, e) -> proofRequests.remove(counter));
    }

    /** Proves this device's account, stores it (verified) and adopts the chain's next nonce. */
    public AccountState syncAccount() throws Exception {
        VerifiedProof proof = requestProof(List.of(StatePaths.account(self))).get(30, TimeUnit.SECONDS);
        AccountState account = proof.values().get(0).value().isPresent()
                ? AccountState.decode(proof.values().get(0).value().get()) : AccountState.EMPTY;
        store.write(ACCOUNT, account.encode().toByteArray());
        setNextNonce(account.nextNonce());
        return account;
    }

    /** The last verified account state on flash (hash-checked on read). */
    public Optional<AccountState> storedAccount() throws IOException, DecodeException {
        Optional<byte[]> bytes = store.read(ACCOUNT);
        return bytes.isEmpty() ? Optional.empty() : Optional.of(AccountState.decode(Bytes.of(bytes.get())));
    }

    /** Remembers an unspent output after its proof verified (write-through: durable before cached). */
    public synchronized void rememberUtxo(Payload.UtxoRef ref, Payload.UtxoOutput output) throws IOException {
        utxos.put(StatePaths.utxo(ref).toHex(), output);
    }

    public synchronized Optional<Payload.UtxoOutput> utxo(Payload.UtxoRef ref) throws IOException {
        return utxos.get(StatePaths.utxo(ref).toHex());
    }

    public Optional<CertifiedHeader> trustedHeader() {
        return Optional.ofNullable(trustedHeader);
    }

    public long trustedHeight() {
        return trustedHeight;
    }

    public long rejectedHeaders() {
        return rejectedHeaders.get();
    }

    // ---------------------------------------------------------------- chain → device

    private void onMessage(String topic, byte[] payload) {
        try {
            if (topic.equals(topics.reply(self))) {
                onReply(BridgeReply.decode(payload));
            } else if (topic.equals(topics.headers())) {
                onHeader(ChainMessages.decodeHeader(payload, DomainCodecs.DEFAULT));
            } else if (topic.equals(topics.proof(self))) {
                onProof(ChainMessages.ProofReply.decode(payload, DomainCodecs.DEFAULT));
            }
        } catch (Exception e) {
            // bad input from the network never stops the device
            lastProblem.set(topic + ": " + e.getMessage());
        }
    }

    private void onReply(BridgeReply reply) {
        if (reply.code() == ReplyCode.COMMITTED) {
            Pending p = pending.remove(reply.counter());
            if (p != null) {
                p.first.complete(reply);
                p.committed.complete(reply);
            }
            return;
        }
        CompletableFuture<VerifiedProof> proof = proofRequests.get(reply.counter());
        if (proof != null) {
            if (reply.code().isRejection()) {
                proof.completeExceptionally(new IllegalStateException("proof request rejected: " + reply.code() + " " + reply.detail()));
            }
            return;
        }
        Pending p = reply.code().isRejection() ? pending.remove(reply.counter()) : pending.get(reply.counter());
        if (p != null) {
            p.first.complete(reply);
            if (reply.code().isRejection()) {
                p.committed.complete(reply);
            }
        }
    }

    private synchronized void onHeader(CertifiedHeader header) throws IOException {
        LightClient.HeaderCheck check = lightClient.checkHeader(header);
        if (check != LightClient.HeaderCheck.TRUSTED) {
            rejectedHeaders.incrementAndGet();
            lastProblem.set("header at height " + header.header().height() + " not trusted: " + check);
            return;
        }
        long height = header.header().height();
        if (height <= trustedHeight) {
            return;
        }
        trustedHeight = height;
        trustedHeader = header;
        // Flash is written at most every header-persist-interval (wear); a header not yet written is not
        // lost data: the retained header topic hands the latest one back after a reboot.
        long now = System.nanoTime();
        if (now - lastHeaderPersistNanos >= config.headerPersistIntervalMs() * 1_000_000L || persistedHeight < 0) {
            persistTrustedHeader();
            lastHeaderPersistNanos = now;
        }
    }

    private void persistTrustedHeader() throws IOException {
        CertifiedHeader header = trustedHeader;
        if (header == null || header.header().height() == persistedHeight) {
            return;
        }
        long height = header.header().height();
        long previous = persistedHeight;
        headers.put(Long.toString(height), header); // durable before cached
        persistedHeight = height;
        saveState();
        if (previous >= 0) {
            headers.remove(Long.toString(previous)); // flash is bounded too: only the newest checkpoint stays
        }
    }

    private void onProof(ChainMessages.ProofReply reply) throws IOException {
        CompletableFuture<VerifiedProof> waiting = proofRequests.get(reply.counter());
        if (waiting == null) {
            return;
        }
        LightClient.HeaderCheck check = lightClient.checkHeader(reply.header());
        if (check != LightClient.HeaderCheck.TRUSTED) {
            waiting.completeExceptionally(new SecurityException("proof header not trusted: " + check));
            return;
        }
        for (ChainMessages.ProvedValue v : reply.values()) {
            if (!LightClient.checkValue(reply.header(), v.path(), v.value(), v.proof())) {
                waiting.completeExceptionally(new SecurityException("proof of " + v.path() + " does not verify"));
                return;
            }
        }
        onHeader(reply.header());
        waiting.complete(new VerifiedProof(reply.header(), reply.values()));
    }

    // ---------------------------------------------------------------- health and shutdown

    /** Never throws: every probe failure becomes part of the answer. */
    public Health health() {
        boolean connected;
        try {
            connected = client.getState().isConnected();
        } catch (RuntimeException e) {
            connected = false;
        }
        boolean writable;
        String problem = lastProblem.get();
        try {
            writable = java.nio.file.Files.isWritable(store.directory()) && lock.isValid();
        } catch (RuntimeException e) {
            writable = false;
            problem = e.toString();
        }
        long counter;
        long nonce;
        synchronized (this) {
            counter = nextCounter - 1;
            nonce = nextNonce;
        }
        return new Health(connected && writable, connected, writable, trustedHeight, counter, nonce, pending.size(),
                problem == null ? "" : problem);
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                persistTrustedHeader();
            }
        } catch (IOException e) {
            lastProblem.set("trusted header not saved: " + e);
        }
        try {
            if (client.getState().isConnected()) {
                client.publishWith().topic(topics.inbound(self, DeviceTopics.Inbound.STATUS)).payload(new byte[] {'0'})
                        .qos(MqttQos.AT_LEAST_ONCE).retain(true).send().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            lastProblem.set("offline status not sent: " + e);
        }
        client.disconnect().exceptionally(e -> null);
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            lastProblem.set("lock release failed: " + e);
        }
    }
}
