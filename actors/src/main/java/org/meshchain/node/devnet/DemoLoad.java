package org.meshchain.node.devnet;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.mempool.MempoolRejection;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.SubmitOutcome;

/**
 * A small load of signed transfers between the demo accounts, so devnet blocks are visibly not empty.
 * Each tick, every account sends one transfer to the next account through a validator chosen round
 * robin, keeping at most {@link #MAX_IN_FLIGHT} of its nonces ahead of its committed nonce (the
 * mempool refuses nonces too far ahead). A rejected nonce re-reads the account's committed nonce.
 */
public final class DemoLoad implements AutoCloseable {

    public static final int MAX_IN_FLIGHT = 32;
    private static final long FEE = 1;

    private final List<Ed25519PrivateKey> accounts;
    private final Supplier<List<NodeServices>> nodes;
    private final long[] nextNonce;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private int roundRobin;

    public DemoLoad(List<Ed25519PrivateKey> accounts, Supplier<List<NodeServices>> nodes) {
        this.accounts = List.copyOf(accounts);
        this.nodes = nodes;
        this.nextNonce = new long[accounts.size()];
        java.util.Arrays.fill(nextNonce, -1);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "devnet-load");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sending about {@code transfersPerSecond} transfers per second in total. */
    public DemoLoad start(int transfersPerSecond) {
        long periodMs = Math.max(10, 1000L * accounts.size() / Math.max(1, transfersPerSecond));
        scheduler.scheduleAtFixedRate(this::tick, 500, periodMs, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        try {
            List<NodeServices> live = nodes.get();
            if (live.isEmpty()) {
                return;
            }
            for (int i = 0; i < accounts.size(); i++) {
                NodeServices node = live.get(Math.floorMod(roundRobin++, live.size()));
                send(i, node);
            }
        } catch (RuntimeException e) {
            // a node stopping under the load: try again next tick
        }
    }

    private long committedNonce(NodeServices node, Address address) {
        return node.readState(StatePaths.account(address)).map(bytes -> {
            try {
                return AccountState.decode(bytes).nextNonce();
            } catch (DecodeException e) {
                return 0L;
            }
        }).orElse(0L);
    }

    private synchronized void send(int i, NodeServices node) {
        Ed25519PrivateKey key = accounts.get(i);
        Address sender = Address.of(key.publicKey());
        long committed = committedNonce(node, sender);
        if (nextNonce[i] < committed) {
            nextNonce[i] = committed;
        }
        if (nextNonce[i] - committed >= MAX_IN_FLIGHT) {
            return;
        }
        Address to = Address.of(accounts.get((i + 1) % accounts.size()).publicKey());
        long height = node.status().committedHeight();
        TransactionBody body = new TransactionBody(node.chainId(), sender, nextNonce[i], FEE, height + 1_000,
                new Payload.Transfer(to, 1 + (height % 100)));
        SignedTransaction tx = SignedTransaction.sign(body, key);
        nextNonce[i]++;
        final int index = i;
        node.submitTransaction(tx).whenComplete((outcome, error) -> {
            if (outcome instanceof SubmitOutcome.Accepted) {
                accepted.incrementAndGet();
            } else {
                rejected.incrementAndGet();
                if (outcome instanceof SubmitOutcome.Rejected r && (r.reason() instanceof MempoolRejection.NonceTooLow
                        || r.reason() instanceof MempoolRejection.NonceTooFarAhead || r.reason() instanceof MempoolRejection.Busy)) {
                    synchronized (this) {
                        nextNonce[index] = -1;
                    }
                }
            }
        });
    }

    public long accepted() {
        return accepted.get();
    }

    public long rejected() {
        return rejected.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
