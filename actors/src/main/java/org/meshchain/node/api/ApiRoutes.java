package org.meshchain.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.mempool.MempoolRejection;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.merkle.SmtProof;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.DeviceDirectory;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.NodeStatus;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainView;

/**
 * The HTTP API's request handler (docs/API.md): strict routing and parsing, store reads on the
 * blocking dispatcher, and every failure mapped to a JSON {@code {error, detail}} response — nothing
 * a client sends can fail the server or the node.
 */
final class ApiRoutes {

    private static final Set<String> NONE = Set.of();
    private static final Set<String> PROOF = Set.of("proof");

    private final NodeServices services;
    private final ApiConfig config;
    private final Optional<DeviceDirectory> devices;
    private final DomainCodecs codecs;
    private final Executor blocking;
    private final Materializer materializer;
    private final ApiMetrics metrics;
    private final CommitEvents events;
    private final PendingTransactions pending;
    private final byte[] dashboard;

    ApiRoutes(NodeServices services, ApiConfig config, Optional<DeviceDirectory> devices, DomainCodecs codecs,
            Executor blocking, Materializer materializer, ApiMetrics metrics, CommitEvents events) {
        this.services = services;
        this.config = config;
        this.devices = devices;
        this.codecs = codecs;
        this.blocking = blocking;
        this.materializer = materializer;
        this.metrics = metrics;
        this.events = events;
        this.pending = new PendingTransactions(config.pendingCacheEntries());
        this.dashboard = loadDashboard();
    }

    private static byte[] loadDashboard() {
        try (InputStream in = ApiRoutes.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dashboard.html: " + e, e);
        }
    }

    /** Handles one request; the returned stage always completes with a response. */
    CompletionStage<HttpResponse> handle(HttpRequest request) {
        long started = System.nanoTime();
        String[] route = {"unmatched"};
        CompletionStage<HttpResponse> response;
        try {
            response = dispatch(request, route);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.exceptionally(ApiRoutes::errorResponse).thenApply(r -> {
            metrics.requests.inc(route[0], Integer.toString(r.status().intValue()));
            metrics.latency.observe((System.nanoTime() - started) / 1e9);
            return r;
        });
    }

    // ---------------------------------------------------------------- routing

    private CompletionStage<HttpResponse> dispatch(HttpRequest request, String[] route) {
        String path = request.getUri().path();
        if (!path.startsWith("/") || path.contains("//")) {
            throw ApiError.notFound("no resource at " + Params.truncate(path));
        }
        Map<String, List<String>> query;
        try {
            query = request.getUri().query().toMultiMap();
        } catch (RuntimeException e) {
            throw ApiError.badRequest("malformed_query", "query string does not parse: " + Params.truncate(String.valueOf(e.getMessage())));
        }
        String[] s = path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
        if (java.util.Arrays.asList(s).contains("")) {
            throw ApiError.notFound("no resource at " + Params.truncate(path) + " (empty path segment)");
        }
        HttpMethod method = request.method();
        if (s.length == 0) {
            route[0] = "/";
            return get(method, () -> {
                Params.onlyQuery(query, NONE);
                return done(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, dashboard)));
            });
        }
        if (s.length == 1 && s[0].equals("metrics")) {
            route[0] = "/metrics";
            return get(method, () -> {
                Params.onlyQuery(query, NONE);
                return done(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
                        services.metrics().render())));
            });
        }
        if (!s[0].equals("v1") || s.length < 2) {
            throw ApiError.notFound("no resource at " + Params.truncate(path));
        }
        switch (s[1]) {
            case "status" -> {
                if (s.length == 2) {
                    route[0] = "/v1/status";
                    return get(method, () -> blockingRead(query, NONE, this::status));
                }
            }
            case "validators" -> {
                if (s.length == 2) {
                    route[0] = "/v1/validators";
                    return get(method, () -> blockingRead(query, NONE, this::validators));
                }
            }
            case "devices" -> {
                if (s.length == 2) {
                    route[0] = "/v1/devices";
                    return get(method, () -> blockingRead(query, NONE, this::devices));
                }
                if (s.length == 3) {
                    route[0] = "/v1/devices/{address}";
                    return get(method, () -> {
                        Address device = Params.address("address", s[2]);
                        return blockingRead(query, NONE, () -> device(device));
                    });
                }
            }
            case "blocks" -> {
                if (s.length == 3) {
                    route[0] = "/v1/blocks/{block}";
                    return get(method, () -> {
                        BlockRef ref = BlockRef.parse(s[2]);
                        return blockingRead(query, NONE, () -> block(ref));
                    });
                }
            }
            case "transactions" -> {
                if (s.length == 2) {
                    route[0] = "/v1/transactions";
                    if (!method.equals(HttpMethods.POST)) {
                        return done(methodNotAllowed("POST"));
                    }
                    Params.onlyQuery(query, NONE);
                    return submit(request);
                }
                if (s.length == 3 && s[2].equals("batch")) {
                    route[0] = "/v1/transactions/batch";
                    if (!method.equals(HttpMethods.POST)) {
                        return done(methodNotAllowed("POST"));
                    }
                    Params.onlyQuery(query, NONE);
                    return submitBatch(request);
                }
                if (s.length == 3) {
                    route[0] = "/v1/transactions/{hash}";
                    return get(method, () -> {
                        Hash32 hash = Params.hash32("hash", s[2]);
                        return blockingRead(query, NONE, () -> transaction(hash));
                    });
                }
            }
            case "accounts" -> {
                if (s.length == 3) {
                    route[0] = "/v1/accounts/{address}";
                    return get(method, () -> {
                        Address address = Params.address("address", s[2]);
                        Params.onlyQuery(query, PROOF);
                        return Params.flag(query, "proof") ? accountWithProof(address)
                                : blockingRead(query, PROOF, () -> account(address));
                    });
                }
            }
            case "contracts" -> {
                if (s.length == 3) {
                    route[0] = "/v1/contracts/{address}";
                    return get(method, () -> {
                        Address contract = Params.address("address", s[2]);
                        return blockingRead(query, NONE, () -> contract(contract));
                    });
                }
                if (s.length == 5 && s[3].equals("state")) {
                    route[0] = "/v1/contracts/{address}/state/{key}";
                    return get(method, () -> {
                        Address contract = Params.address("address", s[2]);
                        Bytes key = Params.hexBytes("key", s[4], 0, codecs.limits().maxStateKeyBytes());
                        Params.onlyQuery(query, PROOF);
                        return Params.flag(query, "proof") ? storageWithProof(contract, key)
                                : blockingRead(query, PROOF, () -> storage(contract, key));
                    });
                }
            }
            case "events" -> {
                if (s.length == 2) {
                    route[0] = "/v1/events";
                    return get(method, () -> {
                        Params.onlyQuery(query, NONE);
                        return done(events());
                    });
                }
            }
            default -> {
                // falls through to not found
            }
        }
        throw ApiError.notFound("no resource at " + Params.truncate(path));
    }

    private static CompletionStage<HttpResponse> get(HttpMethod method, Supplier<CompletionStage<HttpResponse>> handler) {
        if (!method.equals(HttpMethods.GET)) {
            return done(methodNotAllowed("GET"));
        }
        return handler.get();
    }

    private CompletionStage<HttpResponse> blockingRead(Map<String, List<String>> query, Set<String> allowed,
            Supplier<ObjectNode> read) {
        Params.onlyQuery(query, allowed);
        return CompletableFuture.supplyAsync(() -> json(200, read.get()), blocking);
    }

    private static CompletionStage<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    // ---------------------------------------------------------------- node and chain

    private ObjectNode status() {
        NodeStatus status = services.status();
        ObjectNode out = StrictJson.object();
        out.put("chainId", services.chainId().value());
        out.put("self", status.self().toHex());
        out.put("committedHeight", status.committedHeight());
        out.put("round", status.round());
        if (status.leader().isPresent()) {
            out.put("leader", status.leader().get().toHex());
        } else {
            out.putNull("leader");
        }
        out.put("syncing", status.syncing());
        out.put("mempoolSize", status.mempoolSize());
        out.put("storageOpen", status.storageOpen());
        out.put("validatorCount", services.validatorSet().size());
        Optional<CertifiedHeader> head = services.latestCertifiedHeader();
        if (head.isPresent()) {
            ObjectNode h = out.putObject("head");
            h.put("height", head.get().header().height());
            h.put("id", head.get().header().id().toHex());
            h.put("round", head.get().header().round());
            h.put("timestampMs", head.get().header().timestampMs());
            h.put("stateRoot", head.get().certificate().voteData().stateRoot().toHex());
        } else {
            out.putNull("head");
        }
        return out;
    }

    private ObjectNode validators() {
        NodeStatus status = services.status();
        var set = services.validatorSet();
        Map<Address, PeerInfo> peers = new java.util.HashMap<>();
        for (PeerInfo peer : services.peers()) {
            peers.put(peer.validator(), peer);
        }
        ObjectNode out = StrictJson.object();
        out.put("count", set.size());
        out.put("quorum", set.quorum());
        out.put("maxFaulty", set.maxFaulty());
        ArrayNode list = out.putArray("validators");
        for (int i = 0; i < set.size(); i++) {
            Address address = set.get(i);
            ObjectNode v = list.addObject();
            v.put("index", i);
            v.put("address", address.toHex());
            v.put("publicKey", set.key(address).toHex());
            v.put("self", address.equals(status.self()));
            v.put("leader", status.leader().map(address::equals).orElse(false));
            PeerInfo peer = peers.get(address);
            if (peer == null) {
                v.putNull("peer");
            } else {
                ObjectNode p = v.putObject("peer");
                p.put("connected", peer.connected());
                p.put("score", peer.score());
                p.put("banned", peer.bannedUntil().isPresent());
                if (peer.bannedUntil().isPresent()) {
                    p.put("bannedUntil", peer.bannedUntil().get().toString());
                } else {
                    p.putNull("bannedUntil");
                }
            }
        }
        return out;
    }

    private ObjectNode devices() {
        ObjectNode out = StrictJson.object();
        out.put("bridge", devices.isPresent());
        ArrayNode list = out.putArray("devices");
        List<DeviceDirectory.DeviceStatus> all = devices.map(DeviceDirectory::devices).orElse(List.of());
        all.stream().limit(config.maxListItems()).forEach(d -> list.add(deviceStatus(d)));
        out.put("total", all.size());
        out.put("truncated", all.size() > config.maxListItems());
        return out;
    }

    private ObjectNode device(Address device) {
        Optional<DeviceDirectory.DeviceStatus> online = devices.flatMap(d -> d.device(device));
        Optional<Bytes> registered = services.readState(StatePaths.device(device));
        if (online.isEmpty() && registered.isEmpty()) {
            throw ApiError.notFound("device " + device.toHex() + " is neither registered on chain nor known to the bridge");
        }
        ObjectNode out = StrictJson.object();
        out.put("device", device.toHex());
        if (online.isPresent()) {
            out.set("bridge", deviceStatus(online.get()));
        } else {
            out.putNull("bridge");
        }
        if (registered.isPresent()) {
            DeviceRecord record = decodeState(registered.get(), "device record", DeviceRecord::decode);
            ObjectNode r = out.putObject("registration");
            r.put("deviceKey", record.deviceKey().toHex());
            r.put("owner", record.owner().toHex());
            r.put("collateral", record.collateral());
            r.put("lastCounter", record.lastCounter());
        } else {
            out.putNull("registration");
        }
        return out;
    }

    private static ObjectNode deviceStatus(DeviceDirectory.DeviceStatus d) {
        ObjectNode o = StrictJson.object();
        o.put("device", d.device().toHex());
        o.put("online", d.online());
        if (d.lastSeen().isPresent()) {
            o.put("lastSeen", d.lastSeen().get().toString());
        } else {
            o.putNull("lastSeen");
        }
        o.put("framesAccepted", d.framesAccepted());
        o.put("framesRejected", d.framesRejected());
        o.put("lastCounter", d.lastCounter());
        return o;
    }

    /** {@code latest}, a height, or a block id. */
    private record BlockRef(Long height, Hash32 id) {
        static BlockRef parse(String segment) {
            if (segment.equals("latest")) {
                return new BlockRef(null, null);
            }
            if (segment.length() == 64) {
                return new BlockRef(null, Params.hash32("block", segment));
            }
            if (segment.length() <= 19) {
                return new BlockRef(Params.height("block", segment), null);
            }
            throw ApiError.badRequest("invalid_block", "block must be 'latest', a height (decimal) or a block id "
                    + "(64 hex characters), got " + segment.length() + " characters");
        }
    }

    private ObjectNode block(BlockRef ref) {
        try (ChainView view = services.openChainView()) {
            Optional<Block> block;
            if (ref.id() != null) {
                block = view.blockById(ref.id());
            } else {
                long height;
                if (ref.height() != null) {
                    height = ref.height();
                } else {
                    Optional<ChainStore.Head> head = view.head();
                    if (head.isEmpty()) {
                        throw ApiError.notFound("no block is committed yet");
                    }
                    height = head.get().height();
                }
                block = view.blockAt(height);
            }
            if (block.isEmpty()) {
                throw ApiError.notFound("no committed block " + (ref.id() != null ? "with id " + ref.id() : "at height " + ref.height())
                        + " (or it was pruned)");
            }
            return ChainJson.block(block.get(), view.certificateAt(block.get().header().height()));
        }
    }

    private ObjectNode transaction(Hash32 hash) {
        try (ChainView view = services.openChainView()) {
            Optional<ChainStore.TxLocation> location = view.transaction(hash);
            if (location.isPresent()) {
                pending.remove(hash);
                ChainStore.TxLocation at = location.get();
                Block block = view.blockAt(at.height()).orElseThrow(() -> new ApiError(404, "not_found",
                        "transaction " + hash + " was committed at height " + at.height() + ", which is pruned"));
                ObjectNode out = StrictJson.object();
                out.put("hash", hash.toHex());
                out.put("status", "committed");
                out.put("height", at.height());
                out.put("position", at.position());
                out.put("blockId", block.id().toHex());
                out.set("transaction", TransactionJson.render(block.transactions().get(at.position())));
                out.set("receipt", ChainJson.receipt(at.receipt()));
                return out;
            }
            Optional<PendingTransactions.Pending> waiting = pending.get(hash);
            if (waiting.isPresent()) {
                long head = view.head().map(ChainStore.Head::height).orElse(-1L);
                boolean expired = head >= waiting.get().expiryHeight();
                ObjectNode out = StrictJson.object();
                out.put("hash", hash.toHex());
                out.put("status", expired ? "expired" : "pending");
                out.put("expiryHeight", waiting.get().expiryHeight());
                out.put("committedHeight", head);
                return out;
            }
            throw ApiError.notFound("transaction " + hash + " is not committed and was not submitted through this node's API");
        }
    }

    // ---------------------------------------------------------------- state

    private ObjectNode account(Address address) {
        Optional<Bytes> value = services.readState(StatePaths.account(address));
        ObjectNode out = StrictJson.object();
        out.put("address", address.toHex());
        putAccount(out, value);
        return out;
    }

    private static void putAccount(ObjectNode out, Optional<Bytes> value) {
        AccountState account = value.isPresent()
                ? decodeState(value.get(), "account", AccountState::decode) : AccountState.EMPTY;
        out.put("exists", value.isPresent());
        out.put("balance", account.balance());
        out.put("locked", account.locked());
        out.put("nextNonce", account.nextNonce());
    }

    private CompletionStage<HttpResponse> accountWithProof(Address address) {
        return proved(StatePaths.account(address), result -> {
            ObjectNode out = StrictJson.object();
            out.put("address", address.toHex());
            putAccount(out, result.value());
            return out;
        });
    }

    private ObjectNode contract(Address contract) {
        Optional<Bytes> codeHash = services.readState(StatePaths.contract(contract));
        if (codeHash.isEmpty()) {
            throw ApiError.notFound("no contract is deployed at " + contract.toHex());
        }
        ObjectNode out = StrictJson.object();
        out.put("address", contract.toHex());
        out.put("codeHash", codeHash.get().toHex());
        return out;
    }

    private ObjectNode storage(Address contract, Bytes key) {
        ObjectNode out = StrictJson.object();
        putStorage(out, contract, key, services.readState(StatePaths.storage(contract, key)));
        return out;
    }

    private static void putStorage(ObjectNode out, Address contract, Bytes key, Optional<Bytes> value) {
        out.put("contract", contract.toHex());
        out.put("key", key.toHex());
        out.put("exists", value.isPresent());
        if (value.isPresent()) {
            out.put("value", value.get().toHex());
        } else {
            out.putNull("value");
        }
    }

    private CompletionStage<HttpResponse> storageWithProof(Address contract, Bytes key) {
        return proved(StatePaths.storage(contract, key), result -> {
            ObjectNode out = StrictJson.object();
            putStorage(out, contract, key, result.value());
            return out;
        });
    }

    /** A state read with its Merkle proof and the certified header whose state root it proves against. */
    private CompletionStage<HttpResponse> proved(Hash32 path, java.util.function.Function<StateProofResult, ObjectNode> render) {
        return withTimeout(services.proveState(path)).thenApply(result -> {
            Hash32 root = result.header().certificate().voteData().stateRoot();
            boolean verifies = result.path().equals(path) && (result.value().isPresent()
                    ? SmtProof.verifyMembership(root, path, result.value().get().toByteArray(), result.proof())
                    : SmtProof.verifyNonMembership(root, path, result.proof()));
            if (!verifies) {
                // never hand a light client a proof that does not check out against the certified root
                throw new IllegalStateException("the node's proof for " + path + " does not verify against state root " + root);
            }
            ObjectNode out = render.apply(result);
            ObjectNode proof = out.putObject("proof");
            proof.put("path", result.path().toHex());
            if (result.value().isPresent()) {
                proof.put("value", result.value().get().toHex());
            } else {
                proof.putNull("value");
            }
            proof.put("stateRoot", result.header().certificate().voteData().stateRoot().toHex());
            proof.setAll(ChainJson.proof(result.proof()));
            out.set("certifiedHeader", ChainJson.certifiedHeader(result.header()));
            return json(200, out);
        });
    }

    private interface StateDecoder<T> {
        T decode(Bytes bytes) throws DecodeException;
    }

    private static <T> T decodeState(Bytes value, String what, StateDecoder<T> decoder) {
        try {
            return decoder.decode(value);
        } catch (DecodeException e) {
            throw new IllegalStateException("stored " + what + " does not decode: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- submission

    private CompletionStage<HttpResponse> submit(HttpRequest request) {
        HttpEntity entity = request.entity();
        var declared = entity.getContentLengthOption();
        if (declared.isPresent() && declared.getAsLong() > config.maxBodyBytes()) {
            throw tooLarge(declared.getAsLong());
        }
        var mediaType = entity.getContentType().mediaType();
        boolean json = mediaType.equals(MediaTypes.APPLICATION_JSON);
        boolean binary = mediaType.equals(MediaTypes.APPLICATION_OCTET_STREAM);
        if (!json && !binary) {
            throw new ApiError(415, "unsupported_media_type", "send application/json ({\"hex\"|\"base64\"|\"transaction\"}) "
                    + "or application/octet-stream (canonical bytes), not " + mediaType);
        }
        long timeoutMillis = config.requestTimeout().toMillis();
        return entity.withSizeLimit(config.maxBodyBytes()).toStrict(timeoutMillis, materializer)
                .thenCompose(strict -> {
                    byte[] body = strict.getData().toArray();
                    SignedTransaction tx = json ? fromJson(body) : decodeCanonical(body);
                    return withTimeout(services.submitTransaction(tx)).thenApply(outcome -> submitted(tx, outcome));
                });
    }

    private SignedTransaction fromJson(byte[] body) {
        StrictJson.Obj obj = StrictJson.parseObject(body);
        obj.only(Set.of("hex", "base64", "transaction"));
        int forms = (obj.has("hex") ? 1 : 0) + (obj.has("base64") ? 1 : 0) + (obj.has("transaction") ? 1 : 0);
        if (forms != 1) {
            throw ApiError.badRequest("invalid_field", "give exactly one of hex, base64 (the canonical bytes) or transaction "
                    + "(the JSON form)");
        }
        if (obj.has("transaction")) {
            return TransactionJson.parse(obj.object("transaction"), codecs);
        }
        byte[] canonical;
        if (obj.has("hex")) {
            canonical = obj.hex("hex", 1, codecs.limits().maxTransactionBytes());
        } else {
            try {
                canonical = Base64.getDecoder().decode(obj.string("base64"));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("invalid_field", "base64 is not valid base64: " + e.getMessage());
            }
        }
        return decodeCanonical(canonical);
    }

    private SignedTransaction decodeCanonical(byte[] canonical) {
        try {
            return codecs.decodeTransaction(canonical);
        } catch (DecodeException e) {
            throw ApiError.badRequest("malformed_transaction", e.getMessage());
        }
    }

    private HttpResponse submitted(SignedTransaction tx, SubmitOutcome outcome) {
        ObjectNode out = outcomeJson(tx, outcome);
        switch (outcome) {
            case SubmitOutcome.Accepted accepted -> {
                return json(202, out);
            }
            case SubmitOutcome.Rejected rejected -> {
                MempoolRejection reason = rejected.reason();
                HttpResponse response = json(rejectionStatus(reason), out);
                if (reason instanceof MempoolRejection.Busy) {
                    // the node took nothing; a client may resend the same bytes after this many seconds
                    response = response.addHeader(RawHeader.create("Retry-After", BUSY_RETRY_AFTER_SECONDS));
                }
                return response;
            }
        }
    }

    /** Counts the outcome, remembers an accepted transaction as pending, and renders it as the single submit does. */
    private ObjectNode outcomeJson(SignedTransaction tx, SubmitOutcome outcome) {
        switch (outcome) {
            case SubmitOutcome.Accepted accepted -> {
                metrics.submissions.inc("accepted");
                pending.add(accepted.transactionId(), tx.body().expiryHeight(), System.currentTimeMillis());
                ObjectNode out = StrictJson.object();
                out.put("hash", accepted.transactionId().toHex());
                out.put("status", "pending");
                return out;
            }
            case SubmitOutcome.Rejected rejected -> {
                MempoolRejection reason = rejected.reason();
                metrics.submissions.inc(reason.code());
                ObjectNode out = errorBody(reason.code(), reason.describe());
                out.put("hash", rejected.transactionId().toHex());
                return out;
            }
        }
    }

    // ---------------------------------------------------------------- batch submission (ADR 0069)

    /** Most transactions in one {@code POST /v1/transactions/batch}; more get 413 {@code batch_too_large}. */
    static final int MAX_BATCH_TRANSACTIONS = 500;

    private CompletionStage<HttpResponse> submitBatch(HttpRequest request) {
        HttpEntity entity = request.entity();
        var declared = entity.getContentLengthOption();
        if (declared.isPresent() && declared.getAsLong() > config.maxBodyBytes()) {
            throw tooLarge(declared.getAsLong());
        }
        var mediaType = entity.getContentType().mediaType();
        if (!mediaType.equals(MediaTypes.APPLICATION_OCTET_STREAM)) {
            throw new ApiError(415, "unsupported_media_type", "send application/octet-stream (each transaction's canonical "
                    + "bytes after its length as 4 bytes big-endian), not " + mediaType);
        }
        long timeoutMillis = config.requestTimeout().toMillis();
        return entity.withSizeLimit(config.maxBodyBytes()).toStrict(timeoutMillis, materializer)
                .thenCompose(strict -> {
                    List<byte[]> items = splitBatch(strict.getData().toArray(), codecs.limits().maxTransactionBytes());
                    List<CompletableFuture<ObjectNode>> results = new java.util.ArrayList<>(items.size());
                    for (byte[] item : items) {
                        SignedTransaction tx;
                        try {
                            tx = codecs.decodeTransaction(item);
                        } catch (DecodeException e) {
                            results.add(CompletableFuture.completedFuture(errorBody("malformed_transaction", e.getMessage())));
                            continue;
                        }
                        CompletionStage<SubmitOutcome> outcome;
                        try {
                            outcome = services.submitTransaction(tx);
                        } catch (RuntimeException e) {
                            outcome = CompletableFuture.failedFuture(e);
                        }
                        results.add(withTimeout(outcome).handle((o, failure) -> {
                            if (failure == null) {
                                return outcomeJson(tx, o);
                            }
                            // this transaction's own failure (e.g. timeout) is its result; the others stand
                            Throwable cause = unwrap(failure);
                            ObjectNode out = cause instanceof TimeoutException
                                    ? errorBody("timeout", "the node did not answer in time; try again")
                                    : errorBody("internal", "the submission failed inside the node: "
                                            + Params.truncate(String.valueOf(cause), 400));
                            out.put("hash", tx.id().toHex());
                            return out;
                        }).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(all -> {
                        ObjectNode body = StrictJson.object();
                        ArrayNode array = body.putArray("results");
                        for (CompletableFuture<ObjectNode> r : results) {
                            array.add(r.join());
                        }
                        return json(200, body);
                    });
                });
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Splits a batch body: one or more transactions, each its canonical bytes after their length as 4 bytes
     * big-endian (1..maxTransactionBytes), nothing after the last. Framing errors refuse the whole batch.
     */
    static List<byte[]> splitBatch(byte[] body, int maxTransactionBytes) {
        List<byte[]> items = new java.util.ArrayList<>();
        int at = 0;
        while (at < body.length) {
            if (items.size() == MAX_BATCH_TRANSACTIONS) {
                throw new ApiError(413, "batch_too_large", "a batch holds at most " + MAX_BATCH_TRANSACTIONS + " transactions");
            }
            if (body.length - at < 4) {
                throw ApiError.badRequest("malformed_batch", "transaction " + items.size() + ": " + (body.length - at)
                        + " bytes left where a 4-byte length was expected");
            }
            long length = ((body[at] & 0xffL) << 24) | ((body[at + 1] & 0xff) << 16) | ((body[at + 2] & 0xff) << 8)
                    | (body[at + 3] & 0xff);
            at += 4;
            if (length < 1 || length > maxTransactionBytes) {
                throw ApiError.badRequest("malformed_batch", "transaction " + items.size() + ": length " + length
                        + " is not in 1.." + maxTransactionBytes);
            }
            if (length > body.length - at) {
                throw ApiError.badRequest("malformed_batch", "transaction " + items.size() + ": length " + length
                        + " runs past the end of the body (" + (body.length - at) + " bytes left)");
            }
            items.add(java.util.Arrays.copyOfRange(body, at, at + (int) length));
            at += (int) length;
        }
        if (items.isEmpty()) {
            throw ApiError.badRequest("malformed_batch", "a batch holds at least one transaction");
        }
        return items;
    }

    /** Retry-After for {@code busy}: the in-flight bound frees within the mempool's answer time, about a second. */
    static final String BUSY_RETRY_AFTER_SECONDS = "1";

    static int rejectionStatus(MempoolRejection reason) {
        return switch (reason) {
            case MempoolRejection.Duplicate d -> 409;
            case MempoolRejection.ReplacementUnderpriced r -> 409;
            case MempoolRejection.Full f -> 503;
            case MempoolRejection.Busy b -> 503;
            case MempoolRejection.Oversize o -> 413;
            default -> 400;
        };
    }

    private ApiError tooLarge(long bytes) {
        return new ApiError(413, "body_too_large", "request body of " + bytes + " bytes exceeds the limit of "
                + config.maxBodyBytes());
    }

    // ---------------------------------------------------------------- events

    private HttpResponse events() {
        return events.open()
                .map(stream -> HttpResponse.create()
                        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
                        .withEntity(HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), stream)))
                .orElseGet(() -> json(503, errorBody("too_many_clients", "the event stream serves at most "
                        + config.maxSseClients() + " clients at once; try again later")));
    }

    // ---------------------------------------------------------------- responses

    private <T> CompletionStage<T> withTimeout(CompletionStage<T> stage) {
        return stage.toCompletableFuture().copy().orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    static ObjectNode errorBody(String code, String detail) {
        ObjectNode out = StrictJson.object();
        out.put("error", code);
        out.put("detail", detail);
        return out;
    }

    static HttpResponse json(int status, ObjectNode body) {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, StrictJson.write(body)));
    }

    private static HttpResponse methodNotAllowed(String allowed) {
        return json(405, errorBody("method_not_allowed", "this resource takes " + allowed))
                .addHeader(RawHeader.create("Allow", allowed));
    }

    static HttpResponse errorResponse(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiError e) {
            return json(e.status(), errorBody(e.code(), e.detail()));
        }
        if (cause instanceof EntityStreamSizeException e) {
            return json(413, errorBody("body_too_large", "request body exceeds the limit of " + e.limit() + " bytes"));
        }
        if (cause instanceof TimeoutException) {
            return json(503, errorBody("timeout", "the node did not answer in time; try again"));
        }
        return json(500, errorBody("internal", "the request failed inside the node: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + Params.truncate(cause.getMessage(), 400))));
    }
}
