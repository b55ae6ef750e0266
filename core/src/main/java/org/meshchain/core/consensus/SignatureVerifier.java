package org.meshchain.core.consensus;

import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;

/**
 * Port through which the core checks every signature it receives. The production adapter is
 * {@link #ED25519} (the network's single strict rule); a shell may put a cache or a batch verifier
 * in front of it, but must answer exactly as {@link Ed25519#verify} would.
 */
@FunctionalInterface
public interface SignatureVerifier {

    SignatureVerifier ED25519 = Ed25519::verify;

    boolean verify(Ed25519PublicKey key, Hash32 message, Ed25519Signature signature);
}
