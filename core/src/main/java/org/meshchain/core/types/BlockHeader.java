package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * A block header (DESIGN 3.4). {@code justify} is the QC of the parent; {@code timeoutCertificate}
 * is present exactly when the previous round ended by timeout (round != justify round + 1), so the
 * round jump is provable from the block alone (see docs/adr/0002-justify-qc-and-optional-tc.md).
 */
public record BlockHeader(
        ChainId chainId,
        long height,
        long round,
        Hash32 parentId,
        long timestampMs,
        Address proposer,
        Hash32 txRoot,
        QuorumCertificate justify,
        TimeoutCertificate timeoutCertificate) {

    public BlockHeader {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(parentId, "parentId");
        Objects.requireNonNull(proposer, "proposer");
        Objects.requireNonNull(txRoot, "txRoot");
        Objects.requireNonNull(justify, "justify");
        Payload.requireAmount("height", height);
        Payload.requireAmount("round", round);
        Payload.requireAmount("timestamp", timestampMs);
    }

    /** The block id: {@code H("BlockHeader", canonical bytes)}; the tx root binds the body. */
    public Hash32 id() {
        return Hashing.tagged("BlockHeader", DomainCodecs.encode(this));
    }
}
