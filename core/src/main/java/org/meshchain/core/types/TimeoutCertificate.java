package org.meshchain.core.types;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * 2f+1 timeouts for {@code round} (DESIGN 5.1), carrying the highest QC any signer reported, as in
 * Jolteon: each signer signed its own high-QC round, and {@code highQc} is the one with the largest.
 */
public record TimeoutCertificate(long round, QuorumCertificate highQc, List<TimeoutSignature> signatures) {

    public TimeoutCertificate {
        Objects.requireNonNull(highQc, "highQc");
        Payload.requireAmount("round", round);
        signatures = List.copyOf(signatures);
        Payload.requireStrictlyAscending("signatures (by validator)", signatures);
    }

    /** What a validator signs when it times out: {@code H("Timeout", chain || round || highQcRound)}. */
    public static Hash32 signingHash(ChainId chainId, long round, long highQcRound) {
        return Hashing.tagged("Timeout", DomainCodecs.encodeTimeoutSigningData(chainId, round, highQcRound));
    }
}
