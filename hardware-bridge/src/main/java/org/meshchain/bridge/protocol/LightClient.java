package org.meshchain.bridge.protocol;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.merkle.SmtProof;
import org.meshchain.node.port.CertifiedHeader;

/**
 * What a micronode checks before it trusts anything from the chain (pure, no I/O): a header is
 * trusted when its certificate carries between 2f+1 and n signatures by distinct members of the
 * validator set the device was provisioned with, each valid over the vote data (the rule of core's
 * consensus CertificateVerifier); a value is trusted when its Merkle proof folds to the state root that
 * such a certificate certifies.
 */
public final class LightClient {

    /** Why a header was not trusted (or {@link #TRUSTED}). */
    public enum HeaderCheck { TRUSTED, WRONG_CHAIN, NOT_FOR_HEADER, TOO_FEW_SIGNATURES, UNKNOWN_SIGNER, DUPLICATE_SIGNER, BAD_SIGNATURE }

    private final ChainId chainId;
    private final ValidatorSet validators;

    public LightClient(ChainId chainId, ValidatorSet validators) {
        this.chainId = chainId;
        this.validators = validators;
    }

    public HeaderCheck checkHeader(CertifiedHeader certified) {
        if (!certified.header().chainId().equals(chainId)) {
            return HeaderCheck.WRONG_CHAIN;
        }
        QuorumCertificate qc = certified.certificate();
        if (!qc.voteData().blockId().equals(certified.header().id())
                || qc.voteData().height() != certified.header().height()) {
            return HeaderCheck.NOT_FOR_HEADER;
        }
        int count = qc.signatures().size();
        if (count < validators.quorum() || count > validators.size()) {
            return HeaderCheck.TOO_FEW_SIGNATURES;
        }
        Hash32 message = qc.voteData().signingHash();
        Set<Object> seen = new HashSet<>();
        for (ValidatorSignature s : qc.signatures()) {
            Ed25519PublicKey key = validators.key(s.validator());
            if (key == null) {
                return HeaderCheck.UNKNOWN_SIGNER;
            }
            if (!seen.add(s.validator())) {
                return HeaderCheck.DUPLICATE_SIGNER;
            }
            if (!Ed25519.verify(key, message, s.signature())) {
                return HeaderCheck.BAD_SIGNATURE;
            }
        }
        return HeaderCheck.TRUSTED;
    }

    /** Whether {@code proof} shows {@code value} (or its absence) at {@code path} under the header's certified root. */
    public static boolean checkValue(CertifiedHeader trusted, Hash32 path, Optional<org.meshchain.core.codec.Bytes> value,
            SmtProof proof) {
        Hash32 root = trusted.certificate().voteData().stateRoot();
        return value.isPresent()
                ? SmtProof.verifyMembership(root, path, value.get().toByteArray(), proof)
                : SmtProof.verifyNonMembership(root, path, proof);
    }
}
