package org.meshchain.core.mempool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

class TransactionPoolTest {

    private static final ChainId CHAIN = new ChainId("pool-test");
    private static final Ed25519PrivateKey[] KEYS = new Ed25519PrivateKey[8];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            byte[] seed = new byte[32];
            Arrays.fill(seed, (byte) (i + 1));
            KEYS[i] = Ed25519PrivateKey.fromSeed(seed);
        }
    }

    /** Committed accounts the pool checks against; tests move nonces and balances as blocks commit. */
    static final class Accounts implements AccountReader {
        final Map<Address, Long> nonces = new HashMap<>();
        final Map<Address, Long> balances = new HashMap<>();

        @Override
        public long nextNonce(Address account) {
            return nonces.getOrDefault(account, 0L);
        }

        @Override
        public long balance(Address account) {
            return balances.getOrDefault(account, 0L);
        }
    }

    private Accounts accounts;
    private TransactionPool pool;

    @BeforeEach
    void setUp() {
        accounts = new Accounts();
        for (Ed25519PrivateKey key : KEYS) {
            accounts.balances.put(sender(key), 1_000_000L);
        }
        pool = new TransactionPool(new MempoolConfig(CHAIN, 5, 3, 4, 4096));
    }

    static Address sender(Ed25519PrivateKey key) {
        return Address.of(key.publicKey());
    }

    static SignedTransaction tx(Ed25519PrivateKey key, long nonce, long fee, long amount) {
        return tx(key, CHAIN, nonce, fee, amount, 100);
    }

    static SignedTransaction tx(Ed25519PrivateKey key, ChainId chain, long nonce, long fee, long amount, long expiry) {
        return SignedTransaction.sign(new TransactionBody(chain, sender(key), nonce, fee, expiry,
                new Payload.Transfer(sender(KEYS[7]), amount)), key);
    }

    private TransactionPool.Admission add(SignedTransaction tx) {
        return pool.add(tx, DomainCodecs.encode(tx).length, accounts, 10);
    }

    private MempoolRejection rejection(SignedTransaction tx) {
        TransactionPool.Admission admission = add(tx);
        assertThat(admission).isInstanceOf(TransactionPool.Rejected.class);
        return ((TransactionPool.Rejected) admission).reason();
    }

    @Test
    void eachInvalidTransactionIsRejectedWithItsReasonAndChangesNothing() {
        SignedTransaction good = tx(KEYS[0], 0, 10, 5);
        assertThat(add(good)).isInstanceOf(TransactionPool.Accepted.class);

        assertThat(rejection(good)).isInstanceOf(MempoolRejection.Duplicate.class);
        assertThat(rejection(tx(KEYS[0], new ChainId("other"), 1, 10, 5, 100)))
                .isEqualTo(new MempoolRejection.WrongChain(CHAIN, new ChainId("other")));
        assertThat(rejection(tx(KEYS[0], CHAIN, 1, 10, 5, 10))).isEqualTo(new MempoolRejection.Expired(10, 10));
        accounts.nonces.put(sender(KEYS[1]), 3L);
        assertThat(rejection(tx(KEYS[1], 2, 10, 5))).isEqualTo(new MempoolRejection.NonceTooLow(3, 2));
        assertThat(rejection(tx(KEYS[1], 8, 10, 5))).isEqualTo(new MempoolRejection.NonceTooFarAhead(3, 8, 4));
        assertThat(rejection(tx(KEYS[2], 0, 10, 1_000_000)))
                .isEqualTo(new MempoolRejection.InsufficientBalance(1_000_010, 1_000_000));
        assertThat(rejection(tx(KEYS[0], 0, 10, 6))).isEqualTo(new MempoolRejection.ReplacementUnderpriced(10, 10));

        SignedTransaction valid = tx(KEYS[3], 0, 10, 5);
        byte[] sig = valid.signature().toByteArray();
        sig[0] ^= 1;
        assertThat(rejection(new SignedTransaction(valid.body(), valid.signerPublicKey(), Ed25519Signature.of(sig))))
                .isInstanceOf(MempoolRejection.BadSignature.class);
        // a valid signature by someone else's key does not make the sender's transaction valid
        assertThat(rejection(SignedTransaction.sign(valid.body(), KEYS[4]))).isInstanceOf(MempoolRejection.BadSignature.class);

        assertThat(pool.add(valid, 5000, accounts, 10)).isEqualTo(
                new TransactionPool.Rejected(new MempoolRejection.Oversize(5000, 4096)));
        assertThat(pool.size()).isEqualTo(1);
    }

    @Test
    void aGivenSignatureVerdictIsAskedLastAndDecidesBadSignature() {
        List<SignedTransaction> asked = new ArrayList<>();
        SignedTransaction first = tx(KEYS[0], 0, 10, 5);
        assertThat(pool.add(first, first.encodedLength(), accounts, 10, t -> {
            asked.add(t);
            return false;
        })).isEqualTo(new TransactionPool.Rejected(new MempoolRejection.BadSignature()));
        assertThat(asked).containsExactly(first);
        assertThat(pool.size()).isZero();

        // an otherwise inadmissible transaction never gets to the (expensive) signature check
        SignedTransaction tooLate = tx(KEYS[0], CHAIN, 0, 10, 5, 10);
        assertThat(pool.add(tooLate, tooLate.encodedLength(), accounts, 10, t -> {
            asked.add(t);
            return true;
        })).isEqualTo(new TransactionPool.Rejected(new MempoolRejection.Expired(10, 10)));
        assertThat(asked).containsExactly(first);

        assertThat(pool.add(first, first.encodedLength(), accounts, 10, t -> true))
                .isInstanceOf(TransactionPool.Accepted.class);
    }

    @Test
    void pendingCostsOfOneSenderAddUpAgainstItsBalance() {
        accounts.balances.put(sender(KEYS[0]), 100L);
        assertThat(add(tx(KEYS[0], 0, 10, 40))).isInstanceOf(TransactionPool.Accepted.class);
        assertThat(add(tx(KEYS[0], 1, 10, 40))).isInstanceOf(TransactionPool.Accepted.class);
        assertThat(rejection(tx(KEYS[0], 2, 10, 1))).isEqualTo(new MempoolRejection.InsufficientBalance(111, 100));
        // replacing a pending nonce counts the new cost instead of the old one
        assertThat(add(tx(KEYS[0], 1, 11, 30))).isInstanceOf(TransactionPool.Accepted.class);
        assertThat(add(tx(KEYS[0], 2, 9, 0))).isInstanceOf(TransactionPool.Accepted.class);
    }

    @Test
    void aHigherFeeReplacesAPendingNonce() {
        SignedTransaction first = tx(KEYS[0], 0, 10, 5);
        add(first);
        TransactionPool.Admission replaced = add(tx(KEYS[0], 0, 11, 5));
        assertThat(replaced).isInstanceOfSatisfying(TransactionPool.Accepted.class,
                a -> assertThat(a.replaced()).contains(first.id()));
        assertThat(pool.contains(first.id())).isFalse();
        assertThat(pool.size()).isEqualTo(1);
    }

    @Test
    void perSenderLimitKeepsOneAccountFromFillingThePool() {
        for (int n = 0; n < 3; n++) {
            assertThat(add(tx(KEYS[0], n, 10, 1))).isInstanceOf(TransactionPool.Accepted.class);
        }
        assertThat(rejection(tx(KEYS[0], 3, 50, 1))).isInstanceOf(MempoolRejection.Full.class);
    }

    @Test
    void whenFullTheCheapestSenderTailIsDisplacedOnlyByAHigherFee() {
        add(tx(KEYS[0], 0, 10, 1));
        add(tx(KEYS[0], 1, 3, 1)); // cheapest tail
        add(tx(KEYS[1], 0, 8, 1));
        add(tx(KEYS[2], 0, 9, 1));
        add(tx(KEYS[3], 0, 7, 1));
        assertThat(pool.size()).isEqualTo(5);

        assertThat(rejection(tx(KEYS[4], 0, 3, 1))).isEqualTo(new MempoolRejection.Full(5, 3));
        SignedTransaction cheapestTail = pool.pendingOf(sender(KEYS[0])).get(1);
        TransactionPool.Admission admitted = add(tx(KEYS[4], 0, 4, 1));
        assertThat(admitted).isInstanceOfSatisfying(TransactionPool.Accepted.class,
                a -> assertThat(a.evicted()).contains(cheapestTail.id()));
        assertThat(pool.size()).isEqualTo(5);
        assertThat(pool.pendingOf(sender(KEYS[0]))).hasSize(1);
    }

    @Test
    void blocksTakeHighFeesFirstWithEachSendersNoncesContiguous() {
        pool = new TransactionPool(new MempoolConfig(CHAIN, 100, 10, 10, 4096));
        add(tx(KEYS[0], 0, 1, 1));
        add(tx(KEYS[0], 1, 100, 1)); // high fee, but only after its nonce 0
        add(tx(KEYS[1], 0, 50, 1));
        add(tx(KEYS[2], 1, 999, 1)); // gap: nonce 0 missing, never selected
        List<SignedTransaction> block = pool.selectForBlock(10, 1 << 20, accounts);
        assertThat(block).extracting(t -> t.body().fee()).containsExactly(50L, 1L, 100L);
        assertThat(pool.selectForBlock(2, 1 << 20, accounts)).hasSize(2);
        int oneTxBytes = DomainCodecs.encode(block.getFirst()).length;
        assertThat(pool.selectForBlock(10, oneTxBytes, accounts)).hasSize(1);
    }

    @Test
    void committingRemovesIncludedUsedAndExpiredTransactions() {
        pool = new TransactionPool(new MempoolConfig(CHAIN, 100, 10, 10, 4096));
        SignedTransaction a0 = tx(KEYS[0], 0, 5, 1);
        SignedTransaction a1 = tx(KEYS[0], 1, 5, 1);
        SignedTransaction b0 = tx(KEYS[1], 0, 5, 1);
        SignedTransaction shortLived = tx(KEYS[2], CHAIN, 0, 5, 1, 12);
        for (SignedTransaction t : List.of(a0, a1, b0, shortLived)) {
            add(t);
        }
        // another node's block included a different transaction with a1's nonce, and a0
        SignedTransaction competingA1 = tx(KEYS[0], 1, 6, 2);
        accounts.nonces.put(sender(KEYS[0]), 2L);
        assertThat(pool.onCommitted(List.of(a0, competingA1), accounts, 12)).isEqualTo(3);
        assertThat(pool.size()).isEqualTo(1);
        assertThat(pool.contains(b0.id())).isTrue();
    }

    @Test
    void gossipDrainsNewlyAdmittedTransactionsOnce() {
        SignedTransaction a = tx(KEYS[0], 0, 5, 1);
        SignedTransaction b = tx(KEYS[1], 0, 5, 1);
        add(a);
        add(b);
        assertThat(pool.drainForGossip(1)).containsExactly(a);
        assertThat(pool.drainForGossip(10)).containsExactly(b);
        assertThat(pool.drainForGossip(10)).isEmpty();
    }

    @Property(tries = 60)
    void randomWorkloadsKeepThePoolsInvariants(@ForAll("operations") List<int[]> operations,
            @ForAll @IntRange(min = 1, max = 12) int capacity) {
        Accounts state = new Accounts();
        for (Ed25519PrivateKey key : KEYS) {
            state.balances.put(sender(key), 500L);
        }
        MempoolConfig config = new MempoolConfig(CHAIN, capacity, Math.min(capacity, 4), 3, 4096);
        TransactionPool randomPool = new TransactionPool(config);
        long height = 0;
        for (int[] op : operations) {
            Ed25519PrivateKey key = KEYS[op[1] % 6];
            if (op[0] < 8) {
                SignedTransaction t = tx(key, CHAIN, state.nextNonce(sender(key)) + op[2] % 5, op[3] % 20, op[3] % 200,
                        height + 1 + op[2] % 4);
                randomPool.add(t, DomainCodecs.encode(t).length, state, height);
            } else {
                // commit a block chosen by the pool and apply it to the accounts
                List<SignedTransaction> block = randomPool.selectForBlock(1 + op[2] % 5, 1 << 20, state);
                Map<Address, Long> expectedNext = new HashMap<>();
                for (SignedTransaction t : block) {
                    Address s = t.body().sender();
                    long expected = expectedNext.getOrDefault(s, state.nextNonce(s));
                    assertThat(t.body().nonce()).as("contiguous nonces per sender").isEqualTo(expected);
                    expectedNext.put(s, expected + 1);
                    assertThat(t.body().expiryHeight()).as("never selects an expired transaction").isGreaterThan(height);
                    long cost = TransactionPool.cost(t);
                    assertThat(state.balance(s)).as("balance covers every selected transaction").isGreaterThanOrEqualTo(cost);
                    state.balances.merge(s, -cost, Long::sum);
                }
                expectedNext.forEach(state.nonces::put);
                height++;
                randomPool.onCommitted(block, state, height);
            }
            assertThat(randomPool.size()).isLessThanOrEqualTo(capacity);
            Set<Long> seen = new HashSet<>();
            for (Ed25519PrivateKey k : KEYS) {
                List<SignedTransaction> pending = randomPool.pendingOf(sender(k));
                assertThat(pending.size()).isLessThanOrEqualTo(config.maxPerSender());
                seen.clear();
                long total = 0;
                for (SignedTransaction t : pending) {
                    assertThat(seen.add(t.body().nonce())).isTrue();
                    assertThat(t.body().nonce()).isGreaterThanOrEqualTo(state.nextNonce(sender(k)));
                    total += TransactionPool.cost(t);
                }
                // admitted against the balance at admission time; balances only fall by what was committed
                assertThat(total).isLessThanOrEqualTo(500L);
            }
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<List<int[]>> operations() {
        net.jqwik.api.Arbitrary<int[]> op = net.jqwik.api.Arbitraries.integers().between(0, 9)
                .flatMap(kind -> net.jqwik.api.Arbitraries.integers().between(0, 1000).array(int[].class).ofSize(3)
                        .map(rest -> new int[] {kind, rest[0], rest[1], rest[2]}));
        return op.list().ofMinSize(1).ofMaxSize(40).map(ArrayList::new);
    }
}
