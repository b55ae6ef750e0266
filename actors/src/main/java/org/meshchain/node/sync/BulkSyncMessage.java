package org.meshchain.node.sync;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/** What validators exchange for bulk sync (ADR 0040); encoded by {@link org.meshchain.node.wire.WireCodec}. */
public sealed interface BulkSyncMessage {

    /** Committed blocks from {@code fromHeight} on, at most {@code maxBlocks} (the server caps it further). */
    record Request(long fromHeight, int maxBlocks) implements BulkSyncMessage {
        public Request {
            if (fromHeight < 1 || maxBlocks < 1) {
                throw new IllegalArgumentException("fromHeight " + fromHeight + " / maxBlocks " + maxBlocks + " must be >= 1");
            }
        }
    }

    /** A committed block with the quorum certificate that certifies it (its vote data names the block). */
    record CertifiedBlock(Block block, QuorumCertificate certificate) {
        public CertifiedBlock {
            Objects.requireNonNull(block, "block");
            Objects.requireNonNull(certificate, "certificate");
        }
    }

    /**
     * Consecutive committed blocks starting at the requested height (empty if the server has none), and
     * the server's committed height.
     */
    record Response(long fromHeight, List<CertifiedBlock> blocks, long responderHeight) implements BulkSyncMessage {
        public Response {
            blocks = List.copyOf(blocks);
        }
    }
}
