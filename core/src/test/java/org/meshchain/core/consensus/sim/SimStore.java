package org.meshchain.core.consensus.sim;

import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.consensus.CommittedBlocks;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/** A simulated node's chain store: what it committed, in order (survives crashes unless wiped). */
final class SimStore implements CommittedBlocks {

    private final List<Block> blocks = new ArrayList<>();
    private final List<QuorumCertificate> certificates = new ArrayList<>();

    SimStore(QuorumCertificate genesisQc) {
        certificates.add(genesisQc);
    }

    void append(Block block, QuorumCertificate certificate) {
        blocks.add(block);
        certificates.add(certificate);
    }

    Hash32 headId() {
        return certificates.get(certificates.size() - 1).voteData().blockId();
    }

    @Override
    public long height() {
        return blocks.size();
    }

    @Override
    public Block blockAt(long height) {
        return height >= 1 && height <= blocks.size() ? blocks.get((int) height - 1) : null;
    }

    @Override
    public QuorumCertificate certificateAt(long height) {
        return height >= 0 && height < certificates.size() ? certificates.get((int) height) : null;
    }
}
