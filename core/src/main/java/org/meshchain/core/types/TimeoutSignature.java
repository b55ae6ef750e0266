package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Ed25519Signature;

/** One validator's signed timeout inside a TC: it signed {@code (chain, round, highQcRound)}. */
public record TimeoutSignature(Address validator, long highQcRound, Ed25519Signature signature)
        implements Comparable<TimeoutSignature> {

    public TimeoutSignature {
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(signature, "signature");
        Payload.requireAmount("high QC round", highQcRound);
    }

    @Override
    public int compareTo(TimeoutSignature other) {
        return validator.compareTo(other.validator);
    }
}
