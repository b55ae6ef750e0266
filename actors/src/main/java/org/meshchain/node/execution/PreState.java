package org.meshchain.node.execution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.execution.BlockExecution;
import org.meshchain.core.ledger.StateReader;
import org.meshchain.core.types.Block;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.merkle.SparseMerkleTree;

/**
 * The state a block executes on: a committed snapshot overlaid by the writes of its uncommitted
 * ancestors (DESIGN 4: a chain of in-memory overlays). Thread-safe for reads once built. After
 * execution, {@link #complete} turns the block's result into an {@link ExecutedBlock}: its own sorted
 * updates, and the state root computed by applying ancestors' and own updates, merged, to the committed
 * tree in a scratch store (its committed side must allow concurrent reads when the root is computed in parallel) (the root of a sparse Merkle tree depends only on its final contents, so this
 * equals staging the overlays one after the other).
 */
final class PreState implements StateReader, AutoCloseable {

    private final CommittedState.Snapshot committed;
    private final Map<Hash32, Optional<Bytes>> overlay;

    private PreState(CommittedState.Snapshot committed, Map<Hash32, Optional<Bytes>> overlay) {
        this.committed = committed;
        this.overlay = overlay;
    }

    /**
     * Opens the committed snapshot and overlays the ancestors above its head. Ancestors at or below the
     * head (committed meanwhile) are skipped; the rest must be consecutive and end at the block's parent.
     */
    static PreState open(CommittedState source, Block block, List<ExecutedBlock> uncommittedAncestors) {
        Objects.requireNonNull(block, "block");
        CommittedState.Snapshot snapshot = source.open();
        try {
            long expected = snapshot.headHeight() + 1;
            Map<Hash32, Optional<Bytes>> overlay = new HashMap<>();
            ExecutedBlock last = null;
            for (ExecutedBlock ancestor : uncommittedAncestors) {
                if (ancestor.height() < expected) {
                    continue;
                }
                if (ancestor.height() != expected) {
                    throw new IllegalArgumentException("uncommitted ancestors are not consecutive above the committed head "
                            + snapshot.headHeight() + ": expected height " + expected + ", got " + ancestor.height());
                }
                for (SmtUpdate u : ancestor.stateUpdates()) {
                    overlay.put(u.path(), Optional.ofNullable(u.value()));
                }
                last = ancestor;
                expected++;
            }
            if (block.header().height() != expected) {
                throw new IllegalArgumentException("block at height " + block.header().height() + " does not follow its pre-state (committed head "
                        + snapshot.headHeight() + (last != null ? ", last uncommitted ancestor " + last.height() : "") + ")");
            }
            if (last != null && !last.blockId().equals(block.header().parentId())) {
                throw new IllegalArgumentException("block " + block.id() + " does not extend the last uncommitted ancestor " + last.blockId());
            }
            return new PreState(snapshot, overlay);
        } catch (RuntimeException e) {
            snapshot.close();
            throw e;
        }
    }

    @Override
    public Optional<Bytes> get(Hash32 path) {
        Optional<Bytes> v = overlay.get(path);
        return v != null ? v : committed.get(path);
    }

    ExecutedBlock complete(Block block, BlockExecution.Result result) {
        return complete(block, result, null, 0);
    }

    /**
     * With a {@code rootPool}, the scratch tree's subtrees below {@code forkDepth} are rebuilt in
     * parallel (same root: the tree's shape depends only on its contents).
     */
    ExecutedBlock complete(Block block, BlockExecution.Result result, ForkJoinPool rootPool, int forkDepth) {
        List<SmtUpdate> own = toUpdates(result.writes());
        List<SmtUpdate> all = own;
        if (!overlay.isEmpty()) {
            SortedMap<Hash32, Optional<Bytes>> merged = new TreeMap<>(overlay);
            merged.putAll(result.writes());
            all = toUpdates(merged);
        }
        SparseMerkleTree scratch = new SparseMerkleTree(new ScratchNodeStore(committed));
        Hash32 stateRoot = (rootPool == null ? scratch.apply(scratch.latestVersion(), all)
                : scratch.applyInParallel(scratch.latestVersion(), all, rootPool, forkDepth)).root();
        return new ExecutedBlock(block.id(), block.header().height(), stateRoot, result.receiptRoot(),
                result.encodedReceipts(), own, result.gasUsed());
    }

    /** Sorted state updates from final values (empty = delete). */
    static List<SmtUpdate> toUpdates(SortedMap<Hash32, Optional<Bytes>> writes) {
        List<SmtUpdate> updates = new ArrayList<>(writes.size());
        for (Map.Entry<Hash32, Optional<Bytes>> e : writes.entrySet()) {
            updates.add(e.getValue().isPresent() ? SmtUpdate.put(e.getKey(), e.getValue().get()) : SmtUpdate.delete(e.getKey()));
        }
        return updates;
    }

    @Override
    public void close() {
        committed.close();
    }
}
