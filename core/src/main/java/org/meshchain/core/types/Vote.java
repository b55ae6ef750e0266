package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;

/** A validator's signed vote on {@link VoteData}, sent to the next round's leader. */
public record Vote(VoteData data, Address validator, Ed25519Signature signature) {

    public Vote {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(signature, "signature");
    }

    public static Vote sign(VoteData data, Ed25519PrivateKey key) {
        return new Vote(data, Address.of(key.publicKey()), Ed25519.sign(key, data.signingHash()));
    }

    public boolean verify(Ed25519PublicKey validatorKey) {
        return Address.of(validatorKey).equals(validator) && Ed25519.verify(validatorKey, data.signingHash(), signature);
    }
}
