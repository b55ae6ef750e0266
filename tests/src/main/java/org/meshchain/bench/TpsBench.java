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
 * transfers (canonical bytes, application/octet-stream) to {@code /v1/transactions} of the validators'
 * API servers, round robin over the validators, with at most {@link #IN_FLIGHT_PER_VALIDATOR} requests
 * outstanding per validator on HTTP/1.1 keep-alive connections, at increasing rates (doubling, then
 * in eighths of the last rate kept up with; every step's transactions are signed, their ids computed
 * and their requests built before its clock starts, and the cluster drains between steps). Refusals
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
    /** Requests outstanding at once per validator's API (the client waits for a slot beyond it). */
    private static final int IN_FLIGHT_PER_VALIDATOR = 64;
    /** Resend delay for a refusal the node asks to retry (the API's Retry-After for busy is 1 s). */
    private static final long RETRY_AFTER_MILLIS = 1_000;
    private static final Pattern ERROR_CODE = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");

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

    /** A transaction's request, built before the step's clock starts. */
    private record Prepared(Hash32 id, int validator, HttpRequest request) {}

    private TpsBench(Devnet devnet, List<Integer> apiPorts) {
        this.devnet = devnet;
        this.senders = devnet.demoKeys();
        this.nonces = new long[senders.size()];
        this.submitUris = apiPorts.stream().map(port -> URI.create("http://127.0.0.1:" + port + "/v1/transactions")).toList();
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
        List<SignedTransaction> batch = sign(total, node0);
        List<Prepared> requests = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            SignedTransaction tx = batch.get(i);
            int validator = i % submitUris.size();
            requests.add(new Prepared(tx.id(), validator, HttpRequest.newBuilder(submitUris.get(validator))
                    .header("Content-Type", "application/octet-stream")
                    .timeout(java.time.Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(DomainCodecs.encode(tx))).build()));
        }
        outcomes.clear();
        resends.set(0);
        int gen = generation;
        long startCommitted = committed.get();
        stepStartedAt = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        long start = System.nanoTime();
        long lateNanos = 0;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            Prepared p = requests.get(i);
            submittedAt.put(p.id(), System.nanoTime());
            send(p, gen);
            lateNanos = Math.max(lateNanos, System.nanoTime() - due);
        }
        long elapsed = System.nanoTime() - start;
        stepEndedAt = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        double tps = (committed.get() - startCommitted) / (elapsed / 1e9);
        System.out.printf(Locale.ROOT, "  (sent %d in %.1f s, at most %.0f ms behind schedule; HTTP outcomes so far %s, %d resent)%n",
                total, elapsed / 1e9, lateNanos / 1e6, new TreeMap<>(outcomes), resends.get());
        return tps;
    }

    /** POSTs one transaction, waiting for one of its validator's request slots. */
    private void send(Prepared p, int gen) {
        Semaphore slot = slots.get(p.validator());
        slot.acquireUninterruptibly();
        http.sendAsync(p.request(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).whenComplete((response, error) -> {
            slot.release();
            String outcome;
            boolean retry;
            if (error != null) {
                outcome = "failed:" + error.getClass().getSimpleName();
                retry = true;
            } else if (response.statusCode() == 202) {
                outcome = "202";
                retry = false;
            } else {
                Matcher m = ERROR_CODE.matcher(response.body());
                String code = m.find() ? m.group(1) : "?";
                outcome = response.statusCode() + " " + code;
                // busy/full/timeout: the node took nothing (or may not have); a duplicate is already pending
                retry = code.equals("busy") || code.equals("full") || code.equals("timeout");
                if (!retry && !code.equals("duplicate")) {
                    submittedAt.remove(p.id()); // refused for good: it will never commit
                }
            }
            outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
            if (retry && gen == generation && submittedAt.containsKey(p.id())) {
                retries.schedule(() -> {
                    if (gen == generation && submittedAt.containsKey(p.id())) {
                        resends.incrementAndGet();
                        send(p, gen);
                    }
                }, RETRY_AFTER_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
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
