package org.meshchain.core.consensus.sim;

import java.util.HashMap;
import java.util.Map;
import org.meshchain.core.consensus.SignatureVerifier;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;

/**
 * The simulator's shared verifier: real {@link Ed25519#verify}, with the result cached per
 * (key, message, signature). The n simulated nodes receive the same signed messages many times;
 * a real shell would verify each once per node, the simulation once per run. Bounded.
 * Signatures honest nodes produce are registered as valid when they are persisted (spot-checked).
 */
final class CachingSignatureVerifier implements SignatureVerifier {

    private record Key(Ed25519PublicKey key, Hash32 message, Ed25519Signature signature) {
    }

    private static final int MAX_ENTRIES = 200_000;
    private final Map<Key, Boolean> cache = new HashMap<>();
    long verifications;
    long hits;

    /**
     * Records a signature an honest simulated validator just produced with {@link Ed25519#sign} over
     * {@code message}: valid by construction, so peers need not repeat the curve arithmetic. One in
     * {@link #SPOT_CHECK_EVERY} (chosen by the message hash, so deterministic) is verified for real, and
     * the caller treats a failure as a violation. Byzantine and forged signatures never come through here.
     *
     * @return false only when a spot check failed
     */
    boolean registerOwnSignature(Ed25519PublicKey key, Hash32 message, Ed25519Signature signature) {
        Key k = new Key(key, message, signature);
        if (cache.containsKey(k)) {
            return cache.get(k);
        }
        boolean ok = true;
        if ((message.toByteArray()[0] & 0xff) % SPOT_CHECK_EVERY == 0) {
            ok = Ed25519.verify(key, message, signature);
            verifications++;
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(k, ok);
        return ok;
    }

    static final int SPOT_CHECK_EVERY = 16;

    @Override
    public boolean verify(Ed25519PublicKey key, Hash32 message, Ed25519Signature signature) {
        Key k = new Key(key, message, signature);
        Boolean known = cache.get(k);
        if (known != null) {
            hits++;
            return known;
        }
        boolean ok = Ed25519.verify(key, message, signature);
        verifications++;
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(k, ok);
        return ok;
    }
}
