package org.meshchain.node.port;

import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/** A block as committed: with the certificate that certified it and one canonical receipt per transaction. */
public record CommittedBlock(Block block, QuorumCertificate certificate, List<Bytes> receipts) {
    public CommittedBlock {
        receipts = List.copyOf(receipts);
        if (receipts.size() != block.transactions().size()) {
            throw new IllegalArgumentException("one receipt per transaction: " + block.transactions().size()
                    + " transactions, " + receipts.size() + " receipts");
        }
    }
}
