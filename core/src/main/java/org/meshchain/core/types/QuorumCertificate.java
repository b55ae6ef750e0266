package org.meshchain.core.types;

import java.util.List;
import java.util.Objects;

/**
 * 2f+1 signatures on the same {@link VoteData}. Signatures are sorted by validator address with no
 * duplicates, so a certificate has exactly one encoding. Whether the signers form a quorum of the
 * validator set is checked by the consensus core, which knows the set.
 */
public record QuorumCertificate(VoteData voteData, List<ValidatorSignature> signatures) {

    public QuorumCertificate {
        Objects.requireNonNull(voteData, "voteData");
        signatures = List.copyOf(signatures);
        Payload.requireStrictlyAscending("signatures (by validator)", signatures);
    }

    public long round() {
        return voteData.round();
    }
}
