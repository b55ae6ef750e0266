package org.meshchain.node;

import org.meshchain.core.consensus.CommittedBlocks;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.persistence.chain.ChainStore;

/** The consensus core's read-only view of committed blocks, straight from the chain store (thread-safe reads). */
final class ChainStoreBlocks implements CommittedBlocks {

    private final ChainStore chain;

    ChainStoreBlocks(ChainStore chain) {
        this.chain = chain;
    }

    @Override
    public long height() {
        return chain.head().map(ChainStore.Head::height).orElse(0L);
    }

    @Override
    public Block blockAt(long height) {
        return chain.blockAt(height).orElse(null);
    }

    @Override
    public QuorumCertificate certificateAt(long height) {
        return chain.certificateAt(height).orElse(null);
    }
}
