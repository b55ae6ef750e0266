package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BatchVerifierTest {

    private static final int KEYS = 6;
    private static final List<Ed25519PrivateKey> SIGNERS = new ArrayList<>();

    static {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < KEYS; i++) {
            SIGNERS.add(Ed25519PrivateKey.generate(random));
        }
    }

    /**
     * Random batches (sizes around the parallel threshold and well above it) with random corruptions of
     * each kind; the batch verdicts must equal one-by-one verification, index for index. The small queue
     * (2 chunks for 3 workers) forces the caller-runs path too.
     */
    @Property(tries = 60)
    void verdictsEqualOneByOneVerificationInOrder(
            @ForAll @IntRange(min = 0, max = 300) int size, @ForAll long seed) {
        Random random = new Random(seed);
        List<BatchVerifier.Item> items = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            items.add(randomItem(random));
        }
        boolean[] verdicts;
        try (BatchVerifier verifier = new BatchVerifier(3, 2)) {
            verdicts = verifier.verifyAll(items);
        }
        assertThat(verdicts).hasSize(size);
        for (int i = 0; i < size; i++) {
            BatchVerifier.Item item = items.get(i);
            assertThat(verdicts[i]).as("item %d", i).isEqualTo(Ed25519.verify(item.key(), item.message(), item.signature()));
        }
    }

    private static BatchVerifier.Item randomItem(Random random) {
        Ed25519PrivateKey signer = SIGNERS.get(random.nextInt(KEYS));
        byte[] message = new byte[random.nextInt(64)];
        random.nextBytes(message);
        byte[] signature = Ed25519.sign(signer, message).toByteArray();
        Ed25519PublicKey key = signer.publicKey();
        switch (random.nextInt(6)) {
            case 0 -> signature[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8)); // flipped bit
            case 1 -> key = SIGNERS.get((SIGNERS.indexOf(signer) + 1) % KEYS).publicKey(); // wrong key
            case 2 -> message = (new String(message, StandardCharsets.ISO_8859_1) + "x").getBytes(StandardCharsets.ISO_8859_1);
            case 3 -> signature[63] |= (byte) 0xF0; // S >= L
            default -> {
                // left valid (half the items)
            }
        }
        return new BatchVerifier.Item(key, message, Ed25519Signature.of(signature));
    }

    @Test
    void aBatchOfValidSignaturesIsAllTrueAndOneBadItemIsFoundInPlace() {
        Random random = new Random(7);
        List<BatchVerifier.Item> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Ed25519PrivateKey signer = SIGNERS.get(i % KEYS);
            byte[] message = ("tx " + i).getBytes(StandardCharsets.UTF_8);
            items.add(new BatchVerifier.Item(signer.publicKey(), message, Ed25519.sign(signer, message)));
        }
        try (BatchVerifier verifier = new BatchVerifier(3, 2)) {
            checkOneBadItem(verifier, items, random);
        }
    }

    private static void checkOneBadItem(BatchVerifier verifier, List<BatchVerifier.Item> items, Random random) {
        assertThat(verifier.allValid(items)).isTrue();
        BatchVerifier.Item victim = items.get(57);
        byte[] bad = victim.signature().toByteArray();
        bad[random.nextInt(32)] ^= 0x04;
        items.set(57, new BatchVerifier.Item(victim.key(), victim.message(), Ed25519Signature.of(bad)));
        boolean[] verdicts = verifier.verifyAll(items);
        for (int i = 0; i < verdicts.length; i++) {
            assertThat(verdicts[i]).as("item %d", i).isEqualTo(i != 57);
        }
        assertThat(verifier.allValid(items)).isFalse();
        assertThat(verifier.verifyAll(List.of())).isEmpty();
    }

    @Test
    void largeBatchesAreSplitAcrossTheWorkersAndSmallOnesStayOnTheCaller() {
        Ed25519PrivateKey signer = SIGNERS.get(0);
        List<BatchVerifier.Item> items = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] message = ("m" + i).getBytes(StandardCharsets.UTF_8);
            items.add(new BatchVerifier.Item(signer.publicKey(), message, Ed25519.sign(signer, message)));
        }
        BatchVerifier verifier = new BatchVerifier(2, 64);
        assertThat(verifier.allValid(items.subList(0, BatchVerifier.MIN_PARALLEL_BATCH - 1))).isTrue();
        assertThat(verifier.allValid(items)).isTrue();
        // Worker counts are final once the pool has terminated.
        verifier.close();
        // 2 workers x 4 chunks each = 8 chunks; the caller keeps the first, the pool ran the other 7;
        // the small batch added none.
        assertThat(verifier.chunksRunByWorkers()).isEqualTo(7);
    }

    @Test
    void closedVerifierRefusesWork() {
        BatchVerifier verifier = new BatchVerifier(2, 2);
        verifier.close();
        assertThatThrownBy(() -> verifier.verifyAll(List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void rejectsNonsenseConfiguration() {
        assertThatThrownBy(() -> new BatchVerifier(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchVerifier(1, 0)).isInstanceOf(IllegalArgumentException.class);
        try (BatchVerifier verifier = BatchVerifier.withAvailableProcessors()) {
            assertThat(verifier.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }
}
