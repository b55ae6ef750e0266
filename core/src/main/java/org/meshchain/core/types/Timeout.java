package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;

/** A validator's signed timeout for {@code round}, carrying its highest known QC. */
public record Timeout(ChainId chainId, long round, QuorumCertificate highQc, Address validator, Ed25519Signature signature) {

    public Timeout {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(highQc, "highQc");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(signature, "signature");
        Payload.requireAmount("round", round);
    }

    public static Timeout sign(ChainId chainId, long round, QuorumCertificate highQc, Ed25519PrivateKey key) {
        return new Timeout(chainId, round, highQc, Address.of(key.publicKey()),
                Ed25519.sign(key, TimeoutCertificate.signingHash(chainId, round, highQc.round())));
    }

    public boolean verify(Ed25519PublicKey validatorKey) {
        return Address.of(validatorKey).equals(validator)
                && Ed25519.verify(validatorKey, TimeoutCertificate.signingHash(chainId, round, highQc.round()), signature);
    }

    /** This timeout as an entry of a timeout certificate. */
    public TimeoutSignature asTimeoutSignature() {
        return new TimeoutSignature(validator, highQc.round(), signature);
    }
}
