package org.meshchain.bench;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.meshchain.core.crypto.BatchVerifier;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * {@code bin/bench crypto}: the physical bound of the node's cryptography on this machine. Ed25519 sign
 * and verify per second on one core (Bouncy Castle, through our strict {@link Ed25519#verify} with cached
 * key points), verify per second on all cores through {@link BatchVerifier}, SHA-256 of 64-byte inputs per
 * second, and the JDK's own Ed25519 verify for comparison. A plain harness: a warm-up, then several timed
 * rounds per figure; the median round is reported (the machine is shared, so the spread is printed too).
 *
 * <p>Options: {@code --rounds N} (default 5), {@code --round-ms MS} (default 1000), {@code --warmup-ms MS}
 * (default 2000).
 */
public final class CryptoBench {

    private static final int KEYS = 64;
    private static final int SIGNATURES = 1024;
    /** DER prefix of an X.509 SubjectPublicKeyInfo for an Ed25519 key (RFC 8410): 12 bytes, then the 32-byte key. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final int rounds;
    private final long roundNanos;
    private final long warmupNanos;
    /** Folded results, printed at the end so the JIT cannot drop the measured work. */
    private long sink;

    private CryptoBench(int rounds, long roundMillis, long warmupMillis) {
        this.rounds = rounds;
        this.roundNanos = roundMillis * 1_000_000L;
        this.warmupNanos = warmupMillis * 1_000_000L;
    }

    /** One unit of measured work; returns how many operations it performed. */
    @FunctionalInterface
    private interface Work {
        int run(int iteration) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        long roundMillis = 1000;
        long warmupMillis = 2000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = positive(args, ++i);
                case "--round-ms" -> roundMillis = positive(args, ++i);
                case "--warmup-ms" -> warmupMillis = positive(args, ++i);
                default -> {
                    System.err.println("usage: bin/bench crypto [--rounds N] [--round-ms MS] [--warmup-ms MS]");
                    System.exit(2);
                }
            }
        }
        new CryptoBench(rounds, roundMillis, warmupMillis).run();
    }

    private static int positive(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        int value = Integer.parseInt(args[index]);
        if (value < 1) {
            throw new IllegalArgumentException(args[index - 1] + " must be positive, got " + value);
        }
        return value;
    }

    private void run() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "crypto benchmark: %s %s, %d available processors, %d rounds x %d ms (median), warm-up %d ms%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"), cores, rounds,
                roundNanos / 1_000_000, warmupNanos / 1_000_000);

        SecureRandom random = new SecureRandom();
        List<Ed25519PrivateKey> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(Ed25519PrivateKey.generate(random));
        }
        // Messages are 32-byte digests, as everything the node signs is (DESIGN 3.2).
        byte[][] messages = new byte[SIGNATURES][];
        Ed25519PublicKey[] signers = new Ed25519PublicKey[SIGNATURES];
        Ed25519Signature[] signatures = new Ed25519Signature[SIGNATURES];
        PublicKey[] jdkKeys = new PublicKey[SIGNATURES];
        KeyFactory jdkKeyFactory = KeyFactory.getInstance("Ed25519");
        List<BatchVerifier.Item> batch = new ArrayList<>(SIGNATURES);
        for (int i = 0; i < SIGNATURES; i++) {
            Ed25519PrivateKey key = keys.get(i % KEYS);
            messages[i] = Hashing.tagged("BenchMessage", ("message " + i).getBytes(StandardCharsets.UTF_8)).toByteArray();
            signers[i] = key.publicKey();
            signatures[i] = Ed25519.sign(key, messages[i]);
            jdkKeys[i] = jdkKeyFactory.generatePublic(new X509EncodedKeySpec(spki(key.publicKey())));
            batch.add(new BatchVerifier.Item(signers[i], messages[i], signatures[i]));
        }
        for (int i = 0; i < SIGNATURES; i++) {
            if (!Ed25519.verify(signers[i], messages[i], signatures[i])) {
                throw new IllegalStateException("benchmark signature " + i + " does not verify");
            }
        }

        Ed25519PrivateKey signer = keys.get(0);
        double sign = measure("ed25519 sign, 1 thread (BC)", iteration -> {
            sink += Ed25519.sign(signer, messages[iteration & (SIGNATURES - 1)]).hashCode();
            return 1;
        });
        double verify = measure("ed25519 verify, 1 thread (BC, strict, cached key)", iteration -> {
            int i = iteration & (SIGNATURES - 1);
            sink += Ed25519.verify(signers[i], messages[i], signatures[i]) ? 1 : 0;
            return 1;
        });
        Signature jdk = Signature.getInstance("Ed25519");
        double verifyJdk = measure("ed25519 verify, 1 thread (JDK " + jdk.getProvider().getName() + ")", iteration -> {
            int i = iteration & (SIGNATURES - 1);
            jdk.initVerify(jdkKeys[i]);
            jdk.update(messages[i]);
            sink += jdk.verify(signatures[i].toByteArray()) ? 1 : 0;
            return 1;
        });
        double verifyAll;
        try (BatchVerifier verifier = BatchVerifier.withAvailableProcessors()) {
            verifyAll = measure("ed25519 verify, " + verifier.threads() + " threads (BatchVerifier, batches of " + SIGNATURES + ")",
                    iteration -> {
                        boolean[] verdicts = verifier.verifyAll(batch);
                        sink += verdicts[iteration & (SIGNATURES - 1)] ? 1 : 0;
                        return verdicts.length;
                    });
        }
        byte[] input = new byte[64];
        random.nextBytes(input);
        double sha256 = measure("sha256, 64-byte input, 1 thread", iteration -> {
            input[0] = (byte) iteration;
            Hash32 digest = Hashing.sha256(input);
            sink += digest.get(0);
            return 1;
        });

        System.out.printf(Locale.ROOT, "sign/verify (BC, 1 thread): %.2f%n", sign / verify);
        System.out.printf(Locale.ROOT, "BC verify / JDK verify (1 thread): %.2fx%n", verify / verifyJdk);
        System.out.printf(Locale.ROOT, "parallel speed-up over 1 thread: %.2fx on %d processors%n", verifyAll / verify, cores);
        System.out.println("(sink " + sink + ")");
        System.out.printf(Locale.ROOT, "RESULT crypto verify_per_s_core=%d verify_per_s_all=%d sha256_per_s=%d%n",
                Math.round(verify), Math.round(verifyAll), Math.round(sha256));
    }

    /** Warm-up, then {@code rounds} timed rounds; prints and returns the median operations per second. */
    private double measure(String name, Work work) throws Exception {
        int iteration = 0;
        long warmupEnd = System.nanoTime() + warmupNanos;
        while (System.nanoTime() < warmupEnd) {
            work.run(iteration++);
        }
        double[] perSecond = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long operations = 0;
            long start = System.nanoTime();
            long end = start + roundNanos;
            long now;
            do {
                operations += work.run(iteration++);
                now = System.nanoTime();
            } while (now < end);
            perSecond[round] = operations * 1e9 / (now - start);
        }
        double[] sorted = perSecond.clone();
        Arrays.sort(sorted);
        double median = rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
        System.out.printf(Locale.ROOT, "%-62s %,12.0f /s  (rounds: min %,.0f max %,.0f)%n", name + ":", median, sorted[0], sorted[rounds - 1]);
        return median;
    }

    private static byte[] spki(Ed25519PublicKey key) {
        byte[] encoded = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + Ed25519PublicKey.LENGTH);
        System.arraycopy(key.toByteArray(), 0, encoded, ED25519_SPKI_PREFIX.length, Ed25519PublicKey.LENGTH);
        return encoded;
    }
}
