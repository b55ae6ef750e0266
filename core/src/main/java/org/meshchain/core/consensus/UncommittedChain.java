package org.meshchain.core.consensus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/**
 * How a restarted validator rebuilds the blocks it held above its committed head (executed before it
 * voted, kept durable by its shell) into something the core accepts: the chain from just above the head
 * to the highest block certified by a known certificate (e.g. its last timeout's high QC) or by a kept
 * child's justify, as a {@link ConsensusMessage.SyncResponse} from itself. Without this, a rolling
 * restart can leave every node with the highest QC and none with its block, and the chain halts.
 */
public final class UncommittedChain {

    private UncommittedChain() {}

    /** Null when nothing above the head can be rebuilt (or the chain would exceed {@code maxBlocks}). */
    public static ConsensusMessage.SyncResponse restore(Hash32 committedHead, long committedHeight, Collection<Block> kept,
            List<QuorumCertificate> knownCertificates, int maxBlocks) {
        Map<Hash32, Block> byId = new HashMap<>();
        List<QuorumCertificate> certificates = new ArrayList<>(knownCertificates);
        for (Block block : kept) {
            if (block.header().height() > committedHeight) {
                byId.put(block.id(), block);
                certificates.add(block.header().justify());
            }
        }
        certificates.sort((a, b) -> Long.compare(b.round(), a.round()));
        for (QuorumCertificate qc : certificates) {
            List<Block> chain = new ArrayList<>();
            Hash32 cursor = qc.voteData().blockId();
            while (!cursor.equals(committedHead) && chain.size() <= maxBlocks) {
                Block block = byId.get(cursor);
                if (block == null) {
                    break;
                }
                chain.add(block);
                cursor = block.header().parentId();
            }
            if (cursor.equals(committedHead) && !chain.isEmpty() && chain.size() <= maxBlocks) {
                Collections.reverse(chain);
                return new ConsensusMessage.SyncResponse(chain, qc, committedHeight);
            }
        }
        return null;
    }
}
