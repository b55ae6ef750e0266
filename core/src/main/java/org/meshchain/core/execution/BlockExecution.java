package org.meshchain.core.execution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.ledger.BlockContext;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.ledger.StateBuffer;
import org.meshchain.core.ledger.StateReader;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.SignedTransaction;

/**
 * A block's execution as a pure function of (block, pre-state): the serial reference ({@link #serial})
 * and the common end step ({@link #finish}) that the parallel executor shares, so both produce the same
 * bytes by construction once their per-transaction results agree.
 *
 * <p>Fees: every charged fee goes to the block's proposer, credited once after the last transaction
 * (a per-transaction credit would make every transaction write the proposer's account and conflict with
 * every other). A credit that would overflow the proposer's balance is capped (the excess is burnt).
 */
public final class BlockExecution {

    private BlockExecution() {}

    /** Receipts in block order, final writes per path (sorted; empty value = deleted), roots and totals. */
    public record Result(List<Receipt> receipts, List<Bytes> encodedReceipts, SortedMap<Hash32, Optional<Bytes>> writes,
                         long gasUsed, long feesCollected, Hash32 receiptRoot, Hash32 eventRoot) {
        public Result {
            receipts = List.copyOf(receipts);
            encodedReceipts = List.copyOf(encodedReceipts);
            writes = Collections.unmodifiableSortedMap(new TreeMap<>(writes));
        }
    }

    /** Executes {@code block} in order over {@code preState}, verifying each signature inline. */
    public static Result serial(Ledger ledger, Block block, StateReader preState) {
        BlockContext ctx = BlockContext.of(block.header());
        StateBuffer blockState = StateBuffer.over(preState);
        List<Receipt> receipts = new ArrayList<>(block.transactions().size());
        for (SignedTransaction tx : block.transactions()) {
            StateBuffer txState = blockState.child();
            receipts.add(ledger.execute(tx, ctx, txState, tx.hasValidSignature()));
            txState.mergeInto(blockState);
        }
        return finish(ctx, receipts, blockState.writes(), preState);
    }

    /**
     * Credits the fees to the proposer, and computes the encoded receipts and the roots.
     * {@code writes} are the block's transaction writes (final value per path); {@code preState} the
     * state before the block.
     */
    public static Result finish(BlockContext ctx, List<Receipt> receipts, Map<Hash32, Optional<Bytes>> writes,
                                StateReader preState) {
        List<Bytes> encoded = new ArrayList<>(receipts.size());
        for (Receipt r : receipts) {
            encoded.add(r.encode());
        }
        return finish(ctx, receipts, encoded, writes, preState);
    }

    /** As above, with the receipts already encoded ({@code encoded.get(i)} is {@code receipts.get(i).encode()}). */
    public static Result finish(BlockContext ctx, List<Receipt> receipts, List<Bytes> encoded,
                                Map<Hash32, Optional<Bytes>> writes, StateReader preState) {
        return finish(ctx, receipts, encoded, writes, preState, null, 0);
    }

    /**
     * As above, with the receipt and event roots' subtrees below {@code forkDepth} levels computed in parallel
     * on {@code rootPool} (null: serially); the roots are the same either way.
     */
    public static Result finish(BlockContext ctx, List<Receipt> receipts, List<Bytes> encoded,
                                Map<Hash32, Optional<Bytes>> writes, StateReader preState,
                                java.util.concurrent.ForkJoinPool rootPool, int forkDepth) {
        Objects.requireNonNull(ctx, "ctx");
        if (encoded.size() != receipts.size()) {
            throw new IllegalArgumentException(encoded.size() + " encoded receipts for " + receipts.size() + " receipts");
        }
        TreeMap<Hash32, Optional<Bytes>> all = new TreeMap<>(writes);
        long fees = 0;
        long gas = 0;
        for (Receipt r : receipts) {
            fees = saturatingAdd(fees, r.feeCharged());
            gas = saturatingAdd(gas, r.gasUsed());
        }
        if (fees > 0) {
            Hash32 path = StatePaths.account(ctx.proposer());
            StateReader current = p -> {
                Optional<Bytes> w = all.get(p);
                return w != null ? w : preState.get(p);
            };
            AccountState proposer = Ledger.account(current, ctx.proposer());
            long credited = saturatingAdd(proposer.balance(), fees);
            all.put(path, Optional.of(new AccountState(credited, proposer.locked(), proposer.nextNonce()).encode()));
        }
        return new Result(receipts, encoded, all, gas, fees, MerkleRoots.receiptRoot(encoded, rootPool, forkDepth),
                MerkleRoots.eventRoot(receipts, rootPool, forkDepth));
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
