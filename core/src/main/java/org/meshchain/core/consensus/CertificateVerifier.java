package org.meshchain.core.consensus;

import java.util.LinkedHashMap;
import java.util.Map;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.TimeoutSignature;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.Vote;

/**
 * Checks votes, timeouts, QCs and TCs against the validator set. A QC or TC is valid when it has
 * between quorum and n signatures, all from distinct members (the records enforce ascending
 * order), all valid. The genesis QC carries no signatures and is valid only exactly as configured.
 * Certificates found valid are remembered in a small bounded cache (they travel many times).
 */
final class CertificateVerifier {

    private static final int CACHE_SIZE = 256;

    private final ConsensusConfig config;
    private final ValidatorSet validators;
    private final SignatureVerifier verifier;
    private final QuorumCertificate genesisQc;
    private final Map<Object, Boolean> verified = new LinkedHashMap<>(CACHE_SIZE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    CertificateVerifier(ConsensusConfig config, SignatureVerifier verifier) {
        this.config = config;
        this.validators = config.validators();
        this.verifier = verifier;
        this.genesisQc = config.genesisQc();
    }

    QuorumCertificate genesisQc() {
        return genesisQc;
    }

    boolean isGenesis(QuorumCertificate qc) {
        return qc.equals(genesisQc);
    }

    boolean verifyVote(Vote vote) {
        Ed25519PublicKey key = validators.key(vote.validator());
        return key != null && verifier.verify(key, vote.data().signingHash(), vote.signature());
    }

    boolean verifyTimeout(Timeout timeout) {
        Ed25519PublicKey key = validators.key(timeout.validator());
        return key != null && timeout.chainId().equals(config.chainId())
                && verifier.verify(key, TimeoutCertificate.signingHash(timeout.chainId(), timeout.round(), timeout.highQc().round()),
                        timeout.signature());
    }

    boolean verifyQc(QuorumCertificate qc) {
        if (qc.equals(genesisQc)) {
            return true;
        }
        if (qc.round() == 0 || qc.voteData().height() == 0 || qc.voteData().blockId().equals(genesisQc.voteData().blockId())) {
            return false;
        }
        int count = qc.signatures().size();
        if (count < validators.quorum() || count > validators.size()) {
            return false;
        }
        if (verified.containsKey(qc)) {
            return true;
        }
        Hash32 message = qc.voteData().signingHash();
        for (ValidatorSignature s : qc.signatures()) {
            Ed25519PublicKey key = validators.key(s.validator());
            if (key == null || !verifier.verify(key, message, s.signature())) {
                return false;
            }
        }
        verified.put(qc, Boolean.TRUE);
        return true;
    }

    boolean verifyTc(TimeoutCertificate tc) {
        int count = tc.signatures().size();
        if (tc.round() == 0 || count < validators.quorum() || count > validators.size()) {
            return false;
        }
        if (verified.containsKey(tc)) {
            return true;
        }
        long maxReported = -1;
        for (TimeoutSignature s : tc.signatures()) {
            if (s.highQcRound() >= tc.round()) {
                return false;
            }
            maxReported = Math.max(maxReported, s.highQcRound());
        }
        if (tc.highQc().round() != maxReported || !verifyQc(tc.highQc())) {
            return false;
        }
        for (TimeoutSignature s : tc.signatures()) {
            Address signer = s.validator();
            Ed25519PublicKey key = validators.key(signer);
            if (key == null || !verifier.verify(key, TimeoutCertificate.signingHash(config.chainId(), tc.round(), s.highQcRound()),
                    s.signature())) {
                return false;
            }
        }
        verified.put(tc, Boolean.TRUE);
        return true;
    }
}
