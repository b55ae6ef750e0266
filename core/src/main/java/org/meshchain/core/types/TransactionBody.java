package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/** The signed part of a transaction (DESIGN 3.3). */
public record TransactionBody(ChainId chainId, Address sender, long nonce, long fee, long expiryHeight, Payload payload) {

    public TransactionBody {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(payload, "payload");
        Payload.requireAmount("nonce", nonce);
        Payload.requireAmount("fee", fee);
        Payload.requireAmount("expiry height", expiryHeight);
    }

    /** What the sender signs: {@code H("TransactionBody", canonical bytes)}. */
    public Hash32 signingHash() {
        return Hashing.tagged("TransactionBody", DomainCodecs.encode(this));
    }
}
