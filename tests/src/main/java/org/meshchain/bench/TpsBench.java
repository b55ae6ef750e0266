package org.meshchain.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.DefaultExecutors;
import org.meshchain.node.Node;
import org.meshchain.node.api.ApiConfig;
import org.meshchain.node.api.ApiServer;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeServices;
import org.meshchain.persistence.testing.FreePorts;

/**
 * bin/bench tps [step-seconds]: a devnet of 4 validators in this JVM (4 ActorSystems on loopback,
 * RocksDB in a temp dir, each validator serving the HTTP API), a load generator POSTing pre-signed
 * transfers (canonical bytes) to the validators' API servers, round robin over the validators: the
 * transactions due within each 50 ms window go to a validator as one {@code POST /v1/transactions/batch}
 * (ADR 0069; {@code -Dmeshchain.bench.tps-batch-window-ms=0} posts each to {@code /v1/transactions}
 * instead), with at most {@link #IN_FLIGHT_PER_VALIDATOR} requests outstanding per validator on HTTP/1.1
 * keep-alive connections. Latency counts from when a transaction was due. Rates increase (doubling, then
 * in eighths of the last rate kept up with; every step's transactions are signed, their ids computed
 * and their request bodies built before its clock starts, and the cluster drains between steps). Refusals
 * the node asks to retry ({@code busy}, {@code full}, {@code timeout}, or a failed request) are counted
 * and resent after a second (a sender's later nonces wait for the refused one); every outcome is
 * printed per step. Prints per step the
 * committed rate, blocks and mean block size, and signature checks per committed transaction; the
 * committed TPS at saturation (the best step the cluster kept up with: at least 80% of the offered rate
 * committed during the step and all of it within 10 s after); p50/p99 submit-to-commit latency at half
 * of it; and the Ed25519 verify bound of this machine measured in the same run (single-thread
 * verifications/s × cores ÷ 4 validators, since every validator verifies every transaction once).
 */
public final class TpsBench {

    private static final int VALIDATORS = 4;
    private static final int ACCOUNTS = 400;
    private static final int MAX_RATE = 25_600;
    /** A step is kept up with when at least this share of the offered rate committed during it ... */
    private static final double KEPT_UP = 0.8;
    /** ... and everything it submitted committed within this long after it. */
    private static final int DRAIN_SECONDS = 10;
    /** Resend delay for a refusal the node asks to retry (the API's Retry-After for busy is 1 s). */
    private static final long RETRY_AFTER_MILLIS = 1_000;
    private static final Pattern ERROR_CODE = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");
    /** In a batch answer, each result has either "status":"pending" or an "error" code (ADR 0069). */
    private static final Pattern RESULT_CODE = Pattern.compile("\"status\"\\s*:\\s*\"(pending)\"|\"error\"\\s*:\\s*\"([a-z_]+)\"");
    /**
     * Transactions due within this window go to a validator as one {@code POST /v1/transactions/batch}
     * (at most {@link #MAX_BATCH}); 0 sends each on its own to {@code POST /v1/transactions}.
     */
    private static final long BATCH_WINDOW_MILLIS = Long.getLong("meshchain.bench.tps-batch-window-ms", 50);
    private static final int MAX_BATCH = 500;
    /**
     * Requests outstanding at once per validator's API (the client waits for a slot beyond it): 64 single
     * submissions, or 8 batches (a 50 ms window at 3,200 tx/s is 40 transactions per validator).
     */
    private static final int IN_FLIGHT_PER_VALIDATOR = BATCH_WINDOW_MILLIS == 0 ? 64 : 8;

    private final Devnet devnet;
    private final List<Ed25519PrivateKey> senders;
    private final long[] nonces;
    private final Map<Hash32, Long> submittedAt = new ConcurrentHashMap<>();
    private final List<long[]> latencies = new ArrayList<>();
    private final AtomicLong committed = new AtomicLong();
    /** Blocks committed on validator 0 and the transactions in them (repeats included), for the mean block size. */
    private final AtomicLong blocks = new AtomicLong();
    private final AtomicLong blockTransactions = new AtomicLong();
    private volatile boolean recordLatency;
    /** Wall-clock window of the last step (UTC), printed so a profile can be cut to one step. */
    private java.time.LocalTime stepStartedAt;
    private java.time.LocalTime stepEndedAt;

    private final List<URI> submitUris;
    private final List<URI> batchUris;
    /** One client for all validators: HTTP/1.1, so it keeps a pool of keep-alive connections per API server. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();
    private final List<Semaphore> slots = new ArrayList<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tps-resubmit");
        t.setDaemon(true);
        return t;
    });
    /** The step whose submissions are live; a resend of an earlier step's transaction is dropped. */
    private volatile int generation;
    /** Per step: HTTP outcomes by status and error code (202 accepted, 503 busy, ...), resends included. */
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong resends = new AtomicLong();


    private TpsBench(Devnet devnet, List<Integer> apiPorts) {
        this.devnet = devnet;
        this.senders = devnet.demoKeys();
        this.nonces = new long[senders.size()];
        this.submitUris = apiPorts.stream().map(port -> URI.create("http://127.0.0.1:" + port + "/v1/transactions")).toList();
        this.batchUris = apiPorts.stream().map(port -> URI.create("http://127.0.0.1:" + port + "/v1/transactions/batch")).toList();
        for (int i = 0; i < apiPorts.size(); i++) {
            slots.add(new Semaphore(IN_FLIGHT_PER_VALIDATOR));
        }
    }

    public static void main(String[] args) throws Exception {
        int stepSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        double verifyPerCore = verifyRate();
        int cores = Runtime.getRuntime().availableProcessors();
        double verifyBound = verifyPerCore * cores / VALIDATORS;
        System.out.printf(Locale.ROOT, "Ed25519 verify: %.0f/s on one thread, %d cores -> %.0f/s per validator%n",
                verifyPerCore, cores, verifyBound);

        Path dir = Files.createTempDirectory("tps-bench");
        Devnet devnet = Devnet.prepare(new Devnet.Layout(dir, VALIDATORS, ACCOUNTS, "127.0.0.1", FreePorts.consecutive(VALIDATORS)), i ->
                "meshchain.node.mempool.max-nonce-gap = 1000\nmeshchain.node.mempool.max-per-sender = 2000"
                        // ADR 0041: -Dmeshchain.bench.verified-signature-cache=0 measures without the cache
                        + "\nmeshchain.node.execution.verified-signature-cache = "
                        + Integer.getInteger("meshchain.bench.verified-signature-cache", 200_000));
        int apiBase = FreePorts.consecutive(VALIDATORS);
        List<Integer> apiPorts = java.util.stream.IntStream.range(0, VALIDATORS).map(i -> apiBase + i).boxed().toList();
        devnet.startAll(DefaultExecutors.factory(),
                i -> List.of(ApiServer.extension(ApiConfig.defaults("127.0.0.1", apiPorts.get(i)), Optional.empty())),
                InboundInspector.NONE);
        try {
            TpsBench bench = new TpsBench(devnet, apiPorts);
            bench.awaitApis(apiPorts);
            bench.run(stepSeconds, verifyBound);
        } finally {
            devnet.close();
            BenchFiles.deleteTree(dir);
        }
    }

    private void run(int stepSeconds, double verifyBound) throws Exception {
        Node observer = devnet.node(0);
        observer.services().subscribeCommits(block -> {
            long now = System.nanoTime();
            blocks.incrementAndGet();
            blockTransactions.addAndGet(block.block().transactions().size());
            // each submitted transaction counts once, at its first inclusion (a repeat is discarded by execution)
            for (SignedTransaction tx : block.block().transactions()) {
                Long at = submittedAt.remove(tx.id());
                if (at != null) {
                    committed.incrementAndGet();
                    if (recordLatency) {
                        synchronized (latencies) {
                            latencies.add(new long[] {now - at});
                        }
                    }
                }
            }
        });
        while (observer.state().committedHeight() < 3) {
            Thread.sleep(100);
        }
        // Saturation is the highest committed rate of a step the cluster kept up with: it committed at
        // least KEPT_UP of the offered rate during the step and all of it within DRAIN_SECONDS after.
        // Rates double until a step is not kept up with, then rise again from the last kept-up rate in
        // eighths of it, so saturation is located to within 1/8 of that rate instead of a factor of 2.
        double best = 0;
        int bestRate = 0;
        int lastKept = 0;
        int increment = 0; // 0 while doubling
        for (int rate = 100; rate <= MAX_RATE; rate = increment == 0 ? rate * 2 : rate + increment) {
            long checksAtStart = SignedTransaction.signatureChecks();
            long committedAtStart = committed.get();
            long blocksAtStart = blocks.get();
            long blockTxAtStart = blockTransactions.get();
            double tps = step(rate, stepSeconds);
            boolean drained = drain();
            boolean kept = tps >= KEPT_UP * rate && drained;
            long checks = SignedTransaction.signatureChecks() - checksAtStart;
            long done = committed.get() - committedAtStart;
            long stepBlocks = blocks.get() - blocksAtStart;
            System.out.printf(Locale.ROOT, "offered %5d tx/s -> committed %7.1f tx/s (height %d, %s-%s UTC, %d blocks "
                    + "of %.0f tx on average, %.2f tx signature checks per committed tx on %d validators)%s%n", rate, tps,
                    observer.state().committedHeight(), stepStartedAt.withNano(0), stepEndedAt.withNano(0), stepBlocks,
                    stepBlocks == 0 ? 0.0 : (double) (blockTransactions.get() - blockTxAtStart) / stepBlocks,
                    done == 0 ? Double.NaN : (double) checks / done, VALIDATORS, kept ? "" : " not kept up with");
            if (kept) {
                lastKept = rate;
                if (tps > best) {
                    best = tps;
                    bestRate = rate;
                }
            } else if (increment != 0 || lastKept == 0) {
                break;
            } else {
                increment = Math.max(1, lastKept / 8);
                rate = lastKept; // the loop adds the increment
            }
        }
        int half = (int) Math.max(10, best / 2);
        recordLatency = true;
        double atHalf = step(half, stepSeconds);
        drain();
        recordLatency = false;
        long[] sorted;
        synchronized (latencies) {
            sorted = latencies.stream().mapToLong(l -> l[0]).sorted().toArray();
        }
        double p50 = percentileMs(sorted, 0.50);
        double p99 = percentileMs(sorted, 0.99);
        System.out.printf(Locale.ROOT, "saturation: %.1f tx/s (offered %d); at half (%d tx/s offered, %.1f committed): "
                + "p50 %.0f ms, p99 %.0f ms over %d transactions%n", best, bestRate, half, atHalf, p50, p99, sorted.length);
        System.out.printf(Locale.ROOT, "RESULT tps committed_tps=%.1f p50_ms=%.0f p99_ms=%.0f verify_bound_per_validator=%.0f%n",
                best, p50, p99, verifyBound);
    }

    /** Waits until every validator's API answers (the API servers bind after the nodes start). */
    private void awaitApis(List<Integer> ports) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int port : ports) {
            HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/status")).GET().build();
            while (true) {
                try {
                    if (http.send(status, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYetBound) {
                    // the API server binds shortly after the node starts
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("API on port " + port + " did not answer within 60 s");
                }
                Thread.sleep(100);
            }
        }
    }

    /** Offers {@code rate} transfers per second for {@code seconds}; returns the committed rate over the step. */
    private double step(int rate, int seconds) throws Exception {
        NodeServices node0 = devnet.node(0).services();
        int total = rate * seconds;
        List<SignedTransaction> txs = sign(total, node0);
        // every transaction is due at start + i / rate; a batch leaves when its last transaction is due
        List<Batch> batches = new ArrayList<>();
        long windowNanos = BATCH_WINDOW_MILLIS * 1_000_000L;
        Batch[] open = new Batch[submitUris.size()];
        for (int i = 0; i < total; i++) {
            long due = (long) (i * 1e9 / rate);
            int validator = i % submitUris.size();
            Batch b = open[validator];
            if (b != null && (b.size() == batchLimit() || due / Math.max(1, windowNanos) != b.dueOffsets.get(0) / Math.max(1, windowNanos))) {
                batches.add(b.seal());
                b = null;
            }
            if (b == null) {
                b = open[validator] = new Batch(validator);
            }
            b.add(txs.get(i).id(), DomainCodecs.encode(txs.get(i)), due);
        }
        for (Batch b : open) {
            if (b != null && b.size() > 0) {
                batches.add(b.seal());
            }
        }
        batches.sort(java.util.Comparator.comparingLong(Batch::sendOffset));
        outcomes.clear();
        resends.set(0);
        int gen = generation;
        long startCommitted = committed.get();
        stepStartedAt = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        long start = System.nanoTime();
        long lateNanos = 0;
        for (Batch b : batches) {
            long sendAt = start + b.sendOffset();
            long wait = sendAt - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            for (int k = 0; k < b.size(); k++) {
                // latency counts from when the transaction was due, so time waiting in a batch is included
                submittedAt.put(b.ids.get(k), start + b.dueOffsets.get(k));
            }
            send(b, gen);
            lateNanos = Math.max(lateNanos, System.nanoTime() - sendAt);
        }
        long elapsed = System.nanoTime() - start;
        stepEndedAt = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        double tps = (committed.get() - startCommitted) / (elapsed / 1e9);
        System.out.printf(Locale.ROOT, "  (sent %d in %d requests in %.1f s, at most %.0f ms behind schedule; outcomes so far %s, "
                + "%d resent)%n", total, batches.size(), elapsed / 1e9, lateNanos / 1e6, new TreeMap<>(outcomes), resends.get());
        return tps;
    }

    private static int batchLimit() {
        return BATCH_WINDOW_MILLIS == 0 ? 1 : MAX_BATCH;
    }

    /** Transactions for one request to one validator: one transaction, or a batch body. */
    private final class Batch {
        final int validator;
        final List<Hash32> ids = new ArrayList<>();
        final List<byte[]> items = new ArrayList<>();
        final List<Long> dueOffsets = new ArrayList<>();
        HttpRequest request;

        Batch(int validator) {
            this.validator = validator;
        }

        int size() {
            return ids.size();
        }

        long sendOffset() {
            return dueOffsets.get(dueOffsets.size() - 1);
        }

        void add(Hash32 id, byte[] canonical, long dueOffset) {
            ids.add(id);
            items.add(canonical);
            dueOffsets.add(dueOffset);
        }

        /** Builds the request (before the clock starts, for the step's own batches). */
        Batch seal() {
            byte[] body;
            URI uri;
            if (BATCH_WINDOW_MILLIS == 0) {
                body = items.get(0);
                uri = submitUris.get(validator);
            } else {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (byte[] item : items) {
                    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(item.length).array());
                    out.writeBytes(item);
                }
                body = out.toByteArray();
                uri = batchUris.get(validator);
            }
            request = HttpRequest.newBuilder(uri).header("Content-Type", "application/octet-stream")
                    .timeout(java.time.Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return this;
        }
    }

    /** POSTs one request, waiting for one of its validator's request slots; resends what the node asks to retry. */
    private void send(Batch b, int gen) {
        Semaphore slot = slots.get(b.validator);
        slot.acquireUninterruptibly();
        http.sendAsync(b.request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).whenComplete((response, error) -> {
            slot.release();
            List<Integer> retry = new ArrayList<>();
            if (error != null) {
                count("failed:" + error.getClass().getSimpleName(), b.size());
                for (int k = 0; k < b.size(); k++) {
                    retry.add(k);
                }
            } else if (BATCH_WINDOW_MILLIS == 0 || response.statusCode() != 200) {
                // one transaction (or a batch refused whole): the status and error code are the outcome
                Matcher m = ERROR_CODE.matcher(response.body());
                String code = response.statusCode() == 202 ? "pending" : m.find() ? m.group(1) : "http_" + response.statusCode();
                for (int k = 0; k < b.size(); k++) {
                    if (judge(b.ids.get(k), code)) {
                        retry.add(k);
                    }
                }
                count(code, b.size());
            } else {
                Matcher m = RESULT_CODE.matcher(response.body());
                int k = 0;
                while (m.find() && k < b.size()) {
                    String code = m.group(1) != null ? "pending" : m.group(2);
                    count(code, 1);
                    if (judge(b.ids.get(k), code)) {
                        retry.add(k);
                    }
                    k++;
                }
                if (k != b.size()) {
                    count("unparsed_results", b.size() - k);
                }
            }
            if (!retry.isEmpty() && gen == generation) {
                Batch again = new Batch(b.validator);
                for (int k : retry) {
                    again.add(b.ids.get(k), b.items.get(k), b.dueOffsets.get(k));
                }
                retries.schedule(() -> {
                    if (gen == generation) {
                        resends.addAndGet(again.size());
                        send(again.seal(), gen);
                    }
                }, RETRY_AFTER_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** True if the transaction should be resent; forgets one refused for good (it will never commit). */
    private boolean judge(Hash32 id, String code) {
        if (!submittedAt.containsKey(id)) {
            return false; // committed already (or the step ended)
        }
        // busy/full/timeout/failed: the node took nothing (or may not have); a duplicate is already pending
        if (code.equals("busy") || code.equals("full") || code.equals("timeout") || code.startsWith("http_5")) {
            return true;
        }
        if (!code.equals("pending") && !code.equals("duplicate")) {
            submittedAt.remove(id);
        }
        return false;
    }

    private void count(String outcome, int n) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).addAndGet(n);
    }

    /** Waits until what was submitted is committed (or DRAIN_SECONDS), so steps do not overlap; true if all was. */
    private boolean drain() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_SECONDS * 1_000_000_000L;
        while (!submittedAt.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (!submittedAt.isEmpty()) {
            System.out.println("  (" + submittedAt.size() + " submitted transactions not committed after " + DRAIN_SECONDS
                    + " s; mempool sizes " + devnet.running().stream().map(n -> n.state().mempoolSize()).toList() + ")");
        }
        boolean all = submittedAt.isEmpty();
        generation++; // resends of this step stop
        submittedAt.clear();
        System.out.printf(Locale.ROOT, "  (HTTP outcomes of the step incl. drain %s, %d resent)%n", new TreeMap<>(outcomes), resends.get());
        // what stays uncommitted must not count in the next step: wait for the mempools to empty too
        long poolDeadline = System.nanoTime() + 30_000_000_000L;
        while (devnet.running().stream().anyMatch(n -> n.state().mempoolSize() > 0) && System.nanoTime() < poolDeadline) {
            Thread.sleep(100);
        }
        return all;
    }

    private List<SignedTransaction> sign(int count, NodeServices node) {
        List<SignedTransaction> out = new ArrayList<>(count);
        long expiry = node.status().committedHeight() + 100_000;
        for (int i = 0; i < count; i++) {
            int s = i % senders.size();
            Ed25519PrivateKey key = senders.get(s);
            Address to = Address.of(senders.get((s + 1) % senders.size()).publicKey());
            TransactionBody body = new TransactionBody(node.chainId(), Address.of(key.publicKey()), nonces[s]++, 1, expiry,
                    new Payload.Transfer(to, 1));
            SignedTransaction tx = SignedTransaction.sign(body, key);
            tx.id(); // computed (and kept by the transaction) before the clock starts
            out.add(tx);
        }
        return out;
    }

    private static double percentileMs(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(p * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, index)] / 1e6;
    }

    /** Single-thread Ed25519 verifications per second (distinct messages, so no cache helps). */
    private static double verifyRate() {
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        int n = 2_000;
        Hash32[] messages = new Hash32[n];
        Ed25519Signature[] signatures = new Ed25519Signature[n];
        for (int i = 0; i < n; i++) {
            messages[i] = Hashing.sha256(Arrays.copyOf(new byte[] {(byte) i, (byte) (i >> 8)}, 8));
            signatures[i] = Ed25519.sign(key, messages[i]);
        }
        for (int i = 0; i < n; i++) {
            Ed25519.verify(key.publicKey(), messages[i], signatures[i]); // warm-up
        }
        double[] rates = new double[5];
        for (int round = 0; round < rates.length; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (!Ed25519.verify(key.publicKey(), messages[i], signatures[i])) {
                    throw new IllegalStateException("signature did not verify");
                }
            }
            rates[round] = n / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        return rates[rates.length / 2]; // median of 5 rounds
    }
}
