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
 */
final class CachingSignatureVerifier implements SignatureVerifier {

    private record Key(Ed25519PublicKey key, Hash32 message, Ed25519Signature signature) {
    }

    private static final int MAX_ENTRIES = 200_000;
    private final Map<Key, Boolean> cache = new HashMap<>();
    long verifications;
    long hits;

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
