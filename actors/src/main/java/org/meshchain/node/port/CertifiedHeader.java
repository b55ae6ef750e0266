package org.meshchain.node.port;

import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.QuorumCertificate;

/**
 * A header with the certificate on it: what a light client (a field device) needs to trust a state
 * root. The certificate's vote data names this header's block id and carries the post-state root.
 */
public record CertifiedHeader(BlockHeader header, QuorumCertificate certificate) {
    public CertifiedHeader {
        if (!certificate.voteData().blockId().equals(header.id())) {
            throw new IllegalArgumentException("certificate is for block " + certificate.voteData().blockId()
                    + ", not for header " + header.id());
        }
    }
}
