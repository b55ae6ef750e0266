package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Ed25519Signature;

/** One validator's signature inside a quorum certificate. */
public record ValidatorSignature(Address validator, Ed25519Signature signature) implements Comparable<ValidatorSignature> {

    public ValidatorSignature {
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(signature, "signature");
    }

    @Override
    public int compareTo(ValidatorSignature other) {
        return validator.compareTo(other.validator);
    }
}
