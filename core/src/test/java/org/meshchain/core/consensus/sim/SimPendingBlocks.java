package org.meshchain.core.consensus.sim;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.UncommittedChain;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/**
 * A simulated node's journal of executed but uncommitted blocks, the simulator's counterpart of the
 * real node's {@code PendingBlocks} (ADR 0026): saved when the core asks to execute a block (so before
 * any vote for it), pruned at commit, kept across crashes unless the node's data is wiped, and turned
 * back at restart into the {@code SyncResponse} the shell feeds to the new core as if from itself.
 */
final class SimPendingBlocks {

    /** Same bound as the real node's journal. */
    static final int MAX_BLOCKS = 1024;

    private final LinkedHashMap<Hash32, Block> blocks = new LinkedHashMap<>();

    void save(Hash32 id, Block block) {
        if (blocks.containsKey(id)) {
            return;
        }
        if (blocks.size() >= MAX_BLOCKS) {
            Iterator<Hash32> oldest = blocks.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        blocks.put(id, block);
    }

    /** Forgets blocks at or below the committed height (committed, or on a dead branch). */
    void prune(long committedHeight) {
        blocks.values().removeIf(b -> b.header().height() <= committedHeight);
    }

    int size() {
        return blocks.size();
    }

    /**
     * The chain from just above {@code committedHead} to the highest block certified by one of
     * {@code knownCertificates} or by a kept child's justify, with that certificate; null when nothing
     * above the head can be rebuilt. The rule is core's {@link UncommittedChain}, as in the real node's {@code PendingBlocks}.
     */
    ConsensusMessage.SyncResponse restore(Hash32 committedHead, long committedHeight, List<QuorumCertificate> knownCertificates,
            int maxBlocks) {
        return UncommittedChain.restore(committedHead, committedHeight, blocks.values(), knownCertificates, maxBlocks);
    }
}
