package org.meshchain.node.execution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ForkJoinPool;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.execution.BlockExecution;
import org.meshchain.core.ledger.StateReader;
import org.meshchain.core.types.Block;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.state.PrecomputedVersion;

/**
 * The state a block executes on: a committed snapshot overlaid by the writes of its uncommitted
 * ancestors (DESIGN 4: a chain of in-memory overlays). Thread-safe for reads once built. After
 * execution, {@link #complete} turns the block's result into an {@link ExecutedBlock}: its own sorted
 * updates, and its state tree version computed on top of its parent's (ADR 0057): the committed tree,
 * then each uncommitted ancestor's version (the one it carries, or computed from its updates if it
 * carries none), then the block's own updates as one more version ({@link TreeVersions}; the
 * committed side must allow concurrent reads when the root is computed in parallel). The
 * version is kept in the result, so the store writes it instead of computing it again, and the
 * block's children build on it. The root is the one applying all the updates at once would give:
 * a sparse Merkle tree's root depends only on its contents.
 */
final class PreState implements StateReader, AutoCloseable {

    private final CommittedState.Snapshot committed;
    private final Map<Hash32, Optional<Bytes>> overlay;
    /** The ancestors above the committed head, oldest first. */
    private final List<ExecutedBlock> uncommitted;

    private PreState(CommittedState.Snapshot committed, Map<Hash32, Optional<Bytes>> overlay, List<ExecutedBlock> uncommitted) {
        this.committed = committed;
        this.overlay = overlay;
        this.uncommitted = uncommitted;
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
            List<ExecutedBlock> uncommitted = new ArrayList<>();
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
                uncommitted.add(ancestor);
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
            return new PreState(snapshot, overlay, uncommitted);
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
     * With a {@code rootPool}, the tree's subtrees below {@code forkDepth} are rebuilt in parallel
     * (same nodes, same root).
     */
    ExecutedBlock complete(Block block, BlockExecution.Result result, ForkJoinPool rootPool, int forkDepth) {
        List<SmtUpdate> own = toUpdates(result.writes());
        PrecomputedVersion version = TreeVersions.next(committed, uncommitted, own, rootPool, forkDepth);
        return new ExecutedBlock(block.id(), block.header().height(), version.root().hash(), result.receiptRoot(),
                result.encodedReceipts(), own, result.gasUsed(), version);
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
