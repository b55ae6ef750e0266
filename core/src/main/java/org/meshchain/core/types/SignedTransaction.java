package org.meshchain.core.types;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * A transaction with its signer's key and Ed25519 signature over {@link TransactionBody#signingHash()}.
 *
 * <p>Immutable value with the accessors and equality of a record over (body, signerPublicKey, signature).
 * It is a class rather than a record only so that it can keep its canonical bytes and id once computed:
 * a node asks a transaction for its id many times (mempool, gossip, proposal, execution, commit), and
 * each time used to cost an encoding and a SHA-256. Both are pure functions of the three components.
 */
public final class SignedTransaction {

    private final TransactionBody body;
    private final Ed25519PublicKey signerPublicKey;
    private final Ed25519Signature signature;
    /** Canonical bytes, computed on first use (racy but idempotent; volatile so the array is published whole). */
    private volatile byte[] encoded;
    private volatile Hash32 id;

    public SignedTransaction(TransactionBody body, Ed25519PublicKey signerPublicKey, Ed25519Signature signature) {
        this.body = Objects.requireNonNull(body, "body");
        this.signerPublicKey = Objects.requireNonNull(signerPublicKey, "signerPublicKey");
        this.signature = Objects.requireNonNull(signature, "signature");
    }

    public static SignedTransaction sign(TransactionBody body, Ed25519PrivateKey key) {
        return new SignedTransaction(body, key.publicKey(), Ed25519.sign(key, body.signingHash()));
    }

    public TransactionBody body() {
        return body;
    }

    public Ed25519PublicKey signerPublicKey() {
        return signerPublicKey;
    }

    public Ed25519Signature signature() {
        return signature;
    }

    /** The transaction id: {@code H("SignedTransaction", canonical bytes)} — covers the signature too. */
    public Hash32 id() {
        Hash32 known = id;
        if (known == null) {
            known = Hashing.tagged("SignedTransaction", canonicalBytes());
            id = known;
        }
        return known;
    }

    /** Length of the canonical encoding (what size limits apply to). */
    public int encodedLength() {
        return canonicalBytes().length;
    }

    /** The kept canonical bytes; callers must not modify them (package-private: codecs copy them out). */
    byte[] canonicalBytes() {
        byte[] known = encoded;
        if (known == null) {
            known = DomainCodecs.encodeFresh(this);
            encoded = known;
        }
        return known;
    }

    /** Signature checks run by this process (every {@link #hasValidSignature()} call), for benchmarks. */
    private static final LongAdder SIGNATURE_CHECKS = new LongAdder();

    public static long signatureChecks() {
        return SIGNATURE_CHECKS.sum();
    }

    /** True if the signer key is the sender's and the signature verifies under the strict rule. */
    public boolean hasValidSignature() {
        SIGNATURE_CHECKS.increment();
        return Address.of(signerPublicKey).equals(body.sender())
                && Ed25519.verify(signerPublicKey, body.signingHash(), signature);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof SignedTransaction t && body.equals(t.body)
                && signerPublicKey.equals(t.signerPublicKey) && signature.equals(t.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(body, signerPublicKey, signature);
    }

    @Override
    public String toString() {
        return "SignedTransaction[body=" + body + ", signerPublicKey=" + signerPublicKey + ", signature=" + signature + "]";
    }
}
