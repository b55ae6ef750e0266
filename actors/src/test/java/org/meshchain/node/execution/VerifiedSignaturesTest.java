package org.meshchain.node.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

class VerifiedSignaturesTest {

    private static final ChainId CHAIN = new ChainId("test-chain");
    private final Ed25519PrivateKey alice = Ed25519PrivateKey.generate(new SecureRandom());
    private final Address bob = Address.of(Ed25519PrivateKey.generate(new SecureRandom()).publicKey());

    private SignedTransaction transfer(long nonce) {
        return SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(alice.publicKey()), nonce, 10, 1_000,
                new Payload.Transfer(bob, 5)), alice);
    }

    @Test
    void aRecordedIdIsAHitAndAnUnknownOneIsVerifiedInFull() {
        VerifiedSignatures cache = new VerifiedSignatures(16, VerifiedSignatures.Listener.NONE);
        SignedTransaction tx = transfer(1);
        assertThat(cache.hasValidSignature(tx)).isTrue();
        assertThat(cache.misses()).isEqualTo(1);
        cache.verified(tx.id());
        assertThat(cache.hasValidSignature(tx)).isTrue();
        assertThat(cache.hits()).isEqualTo(1);
    }

    @Test
    void aForgedTransactionIsNeverTrustedEvenIfItsBodyWasVerifiedBefore() {
        VerifiedSignatures cache = new VerifiedSignatures(16, VerifiedSignatures.Listener.NONE);
        SignedTransaction genuine = transfer(1);
        cache.verified(genuine.id());
        // same body and key, another signature: another id (the id covers the signature)
        SignedTransaction forged = new SignedTransaction(genuine.body(), genuine.signerPublicKey(),
                Ed25519.sign(alice, Hashing.sha256(new byte[] {9})));
        assertThat(forged.id()).isNotEqualTo(genuine.id());
        assertThat(cache.hasValidSignature(forged)).isFalse();
        assertThat(cache.hits()).isZero();
    }

    @Test
    void boundedOldestEvictedFirst() {
        VerifiedSignatures cache = new VerifiedSignatures(3, VerifiedSignatures.Listener.NONE);
        List<SignedTransaction> txs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            txs.add(transfer(i));
            cache.verified(txs.get(i).id());
            cache.verified(txs.get(i).id()); // a repeat does not take a second slot
        }
        assertThat(cache.size()).isEqualTo(3);
        // newest first: a miss that verifies is recorded and evicts the oldest, so the order matters
        for (int i = txs.size() - 1; i >= 0; i--) {
            assertThat(cache.hasValidSignature(txs.get(i))).isTrue();
        }
        assertThat(cache.misses()).as("the two oldest were evicted and verified again").isEqualTo(2);
        assertThat(cache.hits()).isEqualTo(3);
    }

    @Test
    void aMissThatVerifiesIsRememberedAndAForgeryIsNot() {
        VerifiedSignatures cache = new VerifiedSignatures(16, VerifiedSignatures.Listener.NONE);
        SignedTransaction genuine = transfer(1);
        SignedTransaction forged = new SignedTransaction(genuine.body(), genuine.signerPublicKey(),
                Ed25519.sign(alice, Hashing.sha256(new byte[] {7})));
        assertThat(cache.isKnownValid(genuine.id())).isFalse();
        assertThat(cache.hasValidSignature(genuine)).isTrue();
        assertThat(cache.isKnownValid(genuine.id())).as("the executor's verdict serves the mempool").isTrue();
        assertThat(cache.hasValidSignature(forged)).isFalse();
        assertThat(cache.isKnownValid(forged.id())).isFalse();
        assertThat(cache.hasValidSignature(forged)).isFalse();
        assertThat(cache.misses()).isEqualTo(3);
    }

    @Test
    void capacityZeroStoresNothing() {
        VerifiedSignatures cache = new VerifiedSignatures(0, VerifiedSignatures.Listener.NONE);
        SignedTransaction tx = transfer(1);
        cache.verified(tx.id());
        assertThat(cache.size()).isZero();
        assertThat(cache.hasValidSignature(tx)).isTrue();
        assertThat(cache.hits()).isZero();
    }

    @Test
    void concurrentWritersAndReadersStayWithinTheBound() throws Exception {
        VerifiedSignatures cache = new VerifiedSignatures(50, VerifiedSignatures.Listener.NONE);
        List<SignedTransaction> txs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            txs.add(transfer(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    boolean allValid = true;
                    for (int i = 0; i < txs.size(); i++) {
                        SignedTransaction tx = txs.get((i + offset * 50) % txs.size());
                        cache.verified(tx.id());
                        allValid &= cache.hasValidSignature(tx);
                    }
                    return allValid;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.size()).isLessThanOrEqualTo(50);
        assertThat(cache.hits() + cache.misses()).isEqualTo(800);
    }
}
