package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/** A transaction with its signer's key and Ed25519 signature over {@link TransactionBody#signingHash()}. */
public record SignedTransaction(TransactionBody body, Ed25519PublicKey signerPublicKey, Ed25519Signature signature) {

    public SignedTransaction {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(signerPublicKey, "signerPublicKey");
        Objects.requireNonNull(signature, "signature");
    }

    public static SignedTransaction sign(TransactionBody body, Ed25519PrivateKey key) {
        return new SignedTransaction(body, key.publicKey(), Ed25519.sign(key, body.signingHash()));
    }

    /** The transaction id: {@code H("SignedTransaction", canonical bytes)} — covers the signature too. */
    public Hash32 id() {
        return Hashing.tagged("SignedTransaction", DomainCodecs.encode(this));
    }

    /** True if the signer key is the sender's and the signature verifies under the strict rule. */
    public boolean hasValidSignature() {
        return Address.of(signerPublicKey).equals(body.sender())
                && Ed25519.verify(signerPublicKey, body.signingHash(), signature);
    }
}
