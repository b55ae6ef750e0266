package org.meshchain.core.mempool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;

/**
 * The pending-transaction pool (pure logic; the MempoolActor owns one). Bounded in count, per sender
 * and per transaction size; deduplicated by id; per-sender queues ordered by nonce; block selection
 * by fee priority across senders while keeping each sender's nonces contiguous.
 *
 * <p>Rules: a transaction can go into a block of height {@code h} only if {@code h <= expiryHeight};
 * its nonce must be in {@code [nextNonce, nextNonce + maxNonceGap]}; the sum of the amounts and fees
 * of one sender's pending transactions may not exceed its committed balance; a pending nonce can be
 * replaced only by a higher fee; when full, a newcomer displaces the cheapest sender tail (the
 * highest nonce of some sender, so no queue gets a gap) only if it pays more.
 *
 * <p>Not thread-safe: one owner.
 */
public final class TransactionPool {

    /** A transaction admitted into the pool. */
    public sealed interface Admission {
    }

    public record Accepted(Hash32 txId, Optional<Hash32> replaced, Optional<Hash32> evicted) implements Admission {
    }

    public record Rejected(MempoolRejection reason) implements Admission {
    }

    private static final class Entry {
        final SignedTransaction tx;
        final Hash32 id;
        final Address sender;
        final long nonce;
        final long fee;
        final long cost;
        final int size;
        final long sequence;

        Entry(SignedTransaction tx, Hash32 id, long cost, int size, long sequence) {
            this.tx = tx;
            this.id = id;
            this.sender = tx.body().sender();
            this.nonce = tx.body().nonce();
            this.fee = tx.body().fee();
            this.cost = cost;
            this.size = size;
            this.sequence = sequence;
        }

        long expiry() {
            return tx.body().expiryHeight();
        }
    }

    /** Cheapest first; among equal fees the newest first (it is the one displaced). */
    private static final Comparator<Entry> EVICTION_ORDER =
            Comparator.<Entry>comparingLong(e -> e.fee).thenComparing(e -> -e.sequence);
    /** Highest fee first; among equal fees the oldest first. */
    private static final Comparator<Entry> PRIORITY_ORDER =
            Comparator.<Entry>comparingLong(e -> -e.fee).thenComparingLong(e -> e.sequence);
    private static final Comparator<Entry> EXPIRY_ORDER =
            Comparator.<Entry>comparingLong(Entry::expiry).thenComparingLong(e -> e.sequence);

    private final MempoolConfig config;
    private final Map<Hash32, Entry> byId = new HashMap<>();
    private final Map<Address, TreeMap<Long, Entry>> bySender = new HashMap<>();
    private final Map<Address, Long> pendingCost = new HashMap<>();
    private final TreeSet<Entry> senderTails = new TreeSet<>(EVICTION_ORDER);
    private final TreeSet<Entry> byExpiry = new TreeSet<>(EXPIRY_ORDER);
    /** Ids admitted since the last gossip drain, bounded by the capacity. */
    private final ArrayDeque<Hash32> toGossip = new ArrayDeque<>();
    private long nextSequence;

    public TransactionPool(MempoolConfig config) {
        this.config = config;
    }

    public int size() {
        return byId.size();
    }

    public boolean contains(Hash32 txId) {
        return byId.containsKey(txId);
    }

    /** What admitting the transaction costs its sender's balance: amount moved or locked, plus the fee. */
    static long cost(SignedTransaction tx) {
        long amount = switch (tx.body().payload()) {
            case Payload.Transfer t -> t.amount();
            case Payload.RegisterDevice r -> r.collateral();
            case Payload.UtxoSpend s -> 0;
            case Payload.Deploy d -> 0;
            case Payload.Call c -> 0;
            case Payload.DeviceReport r -> 0;
        };
        try {
            return Math.addExact(amount, tx.body().fee());
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Validates and admits {@code tx}, given its encoded size, the committed accounts, and the height
     * of the last committed block. A rejection changes nothing.
     */
    public Admission add(SignedTransaction tx, int encodedSize, AccountReader accounts, long committedHeight) {
        return add(tx, encodedSize, accounts, committedHeight, SignedTransaction::hasValidSignature);
    }

    /**
     * As {@link #add(SignedTransaction, int, AccountReader, long)}, with the signature verdict from
     * {@code signatureCheck}, which must answer exactly what {@link SignedTransaction#hasValidSignature()}
     * answers (e.g. from a set of ids this node already verified, ADR 0041). It runs last, as that does.
     */
    public Admission add(SignedTransaction tx, int encodedSize, AccountReader accounts, long committedHeight,
            Predicate<SignedTransaction> signatureCheck) {
        if (encodedSize > config.maxTxBytes()) {
            return new Rejected(new MempoolRejection.Oversize(encodedSize, config.maxTxBytes()));
        }
        if (!tx.body().chainId().equals(config.chainId())) {
            return new Rejected(new MempoolRejection.WrongChain(config.chainId(), tx.body().chainId()));
        }
        if (tx.body().expiryHeight() <= committedHeight) {
            return new Rejected(new MempoolRejection.Expired(tx.body().expiryHeight(), committedHeight));
        }
        Hash32 id = tx.id();
        if (byId.containsKey(id)) {
            return new Rejected(new MempoolRejection.Duplicate(id));
        }
        Address sender = tx.body().sender();
        long nextNonce = accounts.nextNonce(sender);
        long nonce = tx.body().nonce();
        if (nonce < nextNonce) {
            return new Rejected(new MempoolRejection.NonceTooLow(nextNonce, nonce));
        }
        if (nonce - nextNonce > config.maxNonceGap()) {
            return new Rejected(new MempoolRejection.NonceTooFarAhead(nextNonce, nonce, config.maxNonceGap()));
        }
        TreeMap<Long, Entry> queue = bySender.get(sender);
        Entry sameNonce = queue == null ? null : queue.get(nonce);
        if (sameNonce != null && tx.body().fee() <= sameNonce.fee) {
            return new Rejected(new MempoolRejection.ReplacementUnderpriced(sameNonce.fee, tx.body().fee()));
        }
        if (sameNonce == null && queue != null && queue.size() >= config.maxPerSender()) {
            return new Rejected(new MempoolRejection.Full(config.maxPerSender(), queue.lastEntry().getValue().fee));
        }
        long cost = cost(tx);
        long alreadyPending = pendingCost.getOrDefault(sender, 0L) - (sameNonce == null ? 0 : sameNonce.cost);
        long required = cost == Long.MAX_VALUE || alreadyPending > Long.MAX_VALUE - cost ? Long.MAX_VALUE : alreadyPending + cost;
        long balance = accounts.balance(sender);
        if (required > balance) {
            return new Rejected(new MempoolRejection.InsufficientBalance(required, balance));
        }
        // signature last: the most expensive check runs only for otherwise admissible transactions
        if (!signatureCheck.test(tx)) {
            return new Rejected(new MempoolRejection.BadSignature());
        }
        Entry evicted = null;
        if (sameNonce == null && byId.size() >= config.capacity()) {
            Entry cheapest = senderTails.first();
            if (tx.body().fee() <= cheapest.fee || cheapest.sender.equals(sender)) {
                return new Rejected(new MempoolRejection.Full(config.capacity(), cheapest.fee));
            }
            evicted = cheapest;
            remove(cheapest);
        }
        if (sameNonce != null) {
            remove(sameNonce);
        }
        insert(new Entry(tx, id, cost, encodedSize, nextSequence++));
        assert byId.size() <= config.capacity() : "pool over capacity";
        return new Accepted(id, Optional.ofNullable(sameNonce).map(e -> e.id), Optional.ofNullable(evicted).map(e -> e.id));
    }

    private void insert(Entry entry) {
        TreeMap<Long, Entry> queue = bySender.computeIfAbsent(entry.sender, s -> new TreeMap<>());
        Entry oldTail = queue.isEmpty() ? null : queue.lastEntry().getValue();
        queue.put(entry.nonce, entry);
        byId.put(entry.id, entry);
        byExpiry.add(entry);
        pendingCost.merge(entry.sender, entry.cost, TransactionPool::saturatingAdd);
        Entry newTail = queue.lastEntry().getValue();
        if (newTail != oldTail) {
            if (oldTail != null) {
                senderTails.remove(oldTail);
            }
            senderTails.add(newTail);
        }
        if (toGossip.size() >= config.capacity()) {
            toGossip.pollFirst();
        }
        toGossip.addLast(entry.id);
    }

    private void remove(Entry entry) {
        TreeMap<Long, Entry> queue = bySender.get(entry.sender);
        Entry oldTail = queue.lastEntry().getValue();
        queue.remove(entry.nonce);
        byId.remove(entry.id);
        byExpiry.remove(entry);
        if (oldTail == entry) {
            senderTails.remove(entry);
            if (!queue.isEmpty()) {
                senderTails.add(queue.lastEntry().getValue());
            }
        }
        if (queue.isEmpty()) {
            bySender.remove(entry.sender);
            pendingCost.remove(entry.sender);
        } else {
            pendingCost.merge(entry.sender, -entry.cost, TransactionPool::saturatingAdd);
        }
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * Transactions for the next block: each sender's run of consecutive nonces starting at its next
     * nonce, interleaved by fee (highest first), within the count and byte budgets.
     */
    public List<SignedTransaction> selectForBlock(int maxTransactions, long maxBytes, AccountReader accounts) {
        PriorityQueue<Entry> ready = new PriorityQueue<>(PRIORITY_ORDER);
        for (Map.Entry<Address, TreeMap<Long, Entry>> sender : bySender.entrySet()) {
            Entry head = sender.getValue().get(accounts.nextNonce(sender.getKey()));
            if (head != null) {
                ready.add(head);
            }
        }
        List<SignedTransaction> selected = new ArrayList<>();
        long bytes = 0;
        while (!ready.isEmpty() && selected.size() < maxTransactions) {
            Entry best = ready.poll();
            if (bytes + best.size > maxBytes) {
                continue; // this sender's run stops here; smaller transactions of others may still fit
            }
            selected.add(best.tx);
            bytes += best.size;
            Entry next = bySender.get(best.sender).get(best.nonce + 1);
            if (next != null) {
                ready.add(next);
            }
        }
        return selected;
    }

    /**
     * After a commit: drops the committed transactions, every pending one whose nonce is now used,
     * and every one that can no longer be included (expiry height <= committed height).
     */
    public int onCommitted(List<SignedTransaction> committed, AccountReader accounts, long committedHeight) {
        int before = byId.size();
        List<Address> touched = new ArrayList<>();
        for (SignedTransaction tx : committed) {
            Entry entry = byId.get(tx.id());
            if (entry != null) {
                remove(entry);
            }
            touched.add(tx.body().sender());
        }
        for (Address sender : touched) {
            TreeMap<Long, Entry> queue = bySender.get(sender);
            long nextNonce = accounts.nextNonce(sender);
            while (queue != null && !queue.isEmpty() && queue.firstKey() < nextNonce) {
                remove(queue.firstEntry().getValue());
                queue = bySender.get(sender);
            }
        }
        while (!byExpiry.isEmpty() && byExpiry.first().expiry() <= committedHeight) {
            remove(byExpiry.first());
        }
        return before - byId.size();
    }

    /** Up to {@code max} transactions admitted since the last call that are still pending, oldest first. */
    public List<SignedTransaction> drainForGossip(int max) {
        List<SignedTransaction> batch = new ArrayList<>();
        while (!toGossip.isEmpty() && batch.size() < max) {
            Entry entry = byId.get(toGossip.pollFirst());
            if (entry != null) {
                batch.add(entry.tx);
            }
        }
        return batch;
    }

    /** Pending transactions of one sender in nonce order (for the API). */
    public List<SignedTransaction> pendingOf(Address sender) {
        TreeMap<Long, Entry> queue = bySender.get(sender);
        if (queue == null) {
            return List.of();
        }
        return queue.values().stream().map(e -> e.tx).toList();
    }
}
