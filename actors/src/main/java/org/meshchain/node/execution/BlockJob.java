package org.meshchain.node.execution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.execution.AccessSets;
import org.meshchain.core.execution.BlockExecution;
import org.meshchain.core.execution.ConflictGraph;
import org.meshchain.core.ledger.BlockContext;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.ledger.StateBuffer;
import org.meshchain.core.ledger.StateReader;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.SignedTransaction;

/**
 * One block in parallel execution: shared by the pool and its executors. Each transaction runs in its
 * own guarded write buffer over {@link #view} = pre-block state + writes published by finished
 * transactions. The conflict graph guarantees that a transaction starts only after every earlier
 * transaction it conflicts with has published, and that no running transaction touches what another
 * running one writes, so every read sees exactly what it would see in serial execution, and the last
 * write published per path is the last in block order.
 */
final class BlockJob {

    final long seq;
    final Block block;
    final BlockContext context;
    final List<SignedTransaction> txs;
    final Ledger ledger;
    final PreState preState;
    final AccessSets.TxAccess[] access;
    /** Built by {@link #schedule()} once every access set is known. */
    ConflictGraph graph;
    AtomicIntegerArray waitingFor;
    final boolean[] signatureValid;
    final Receipt[] receipts;
    /** Encoded by the executor that ran the transaction (encoding is per-transaction work). */
    final Bytes[] encodedReceipts;
    final Map<Hash32, Optional<Bytes>> published = new ConcurrentHashMap<>();
    final StateReader view;
    final CompletableFuture<ExecutedBlock> result;
    volatile boolean cancelled;

    /** Signatures the node verified already (mempool admission); others are verified here. */
    private final VerifiedSignatures verified;

    BlockJob(long seq, Block block, Ledger ledger, PreState preState, CompletableFuture<ExecutedBlock> result,
            VerifiedSignatures verified) {
        this.seq = seq;
        this.verified = verified;
        this.block = block;
        this.context = BlockContext.of(block.header());
        this.txs = block.transactions();
        this.ledger = ledger;
        this.preState = preState;
        this.result = result;
        int n = txs.size();
        this.access = new AccessSets.TxAccess[n];
        this.signatureValid = new boolean[n];
        this.receipts = new Receipt[n];
        this.encodedReceipts = new Bytes[n];
        this.view = path -> {
            Optional<Bytes> v = published.get(path);
            return v != null ? v : preState.get(path);
        };
    }

    int size() {
        return txs.size();
    }

    /** The stateless part, run in parallel chunks: signature checks and access sets. */
    void prepare(int from, int to) {
        for (int i = from; i < to; i++) {
            signatureValid[i] = verified.hasValidSignature(txs.get(i));
            access[i] = AccessSets.of(txs.get(i));
        }
    }

    /** Builds the conflict graph (after every chunk was prepared); returns the transactions ready at once. */
    List<Integer> schedule() {
        graph = ConflictGraph.build(Arrays.asList(access));
        waitingFor = new AtomicIntegerArray(txs.size());
        List<Integer> ready = new ArrayList<>();
        for (int i = 0; i < txs.size(); i++) {
            int preds = graph.predecessorCount(i);
            waitingFor.set(i, preds);
            if (preds == 0) {
                ready.add(i);
            }
        }
        return ready;
    }

    /** Runs transaction {@code i} and publishes its writes. */
    void run(int i) {
        StateBuffer buffer = StateBuffer.guarded(view, access[i].guard());
        Receipt receipt = ledger.execute(txs.get(i), context, buffer, signatureValid[i]);
        published.putAll(buffer.writes());
        encodedReceipts[i] = receipt.encode();
        receipts[i] = receipt;
    }

    /** Successors of {@code i} that became ready because {@code i} finished, in block order. */
    List<Integer> release(int i) {
        List<Integer> ready = null;
        for (int s : graph.successors(i)) {
            if (waitingFor.decrementAndGet(s) == 0) {
                if (ready == null) {
                    ready = new ArrayList<>(2);
                }
                ready.add(s);
            }
        }
        return ready == null ? List.of() : ready;
    }

    ExecutedBlock finish(java.util.concurrent.ForkJoinPool rootPool, int forkDepth) {
        // with a pool, the writes are sorted in parallel parts, so finish's copy into a TreeMap is linear
        Map<Hash32, Optional<Bytes>> writes = rootPool == null ? published
                : SortedWrites.sort(published, rootPool, Math.min(256, 4 * rootPool.getParallelism()));
        BlockExecution.Result r = BlockExecution.finish(context, Arrays.asList(receipts), Arrays.asList(encodedReceipts),
                writes, preState, rootPool, forkDepth);
        return preState.complete(block, r, rootPool, forkDepth);
    }
}
