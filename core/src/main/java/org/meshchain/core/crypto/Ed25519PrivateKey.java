package org.meshchain.core.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * An Ed25519 private key (the 32-byte RFC 8032 seed) and its public key.
 * {@link #destroy()} zeroes the seed; a destroyed key refuses to sign.
 */
public final class Ed25519PrivateKey implements Destroyable, AutoCloseable {

    public static final int SEED_LENGTH = 32;

    private final byte[] seed;
    private final Ed25519PublicKey publicKey;
    private volatile boolean destroyed;

    private Ed25519PrivateKey(byte[] seed) {
        this.seed = seed;
        byte[] pk = new byte[Ed25519PublicKey.LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
        this.publicKey = Ed25519PublicKey.of(pk);
    }

    public static Ed25519PrivateKey generate(SecureRandom random) {
        byte[] seed = new byte[SEED_LENGTH];
        random.nextBytes(seed);
        return new Ed25519PrivateKey(seed);
    }

    /** Copies the seed; the caller should zero its own array when done. */
    public static Ed25519PrivateKey fromSeed(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 seed has 32 bytes, got " + seed.length);
        }
        return new Ed25519PrivateKey(seed.clone());
    }

    public Ed25519PublicKey publicKey() {
        return publicKey;
    }

    /** A copy of the seed, for encryption at rest; zero it after use. */
    public byte[] seedCopy() {
        checkLive();
        return seed.clone();
    }

    byte[] seedInternal() {
        checkLive();
        return seed;
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("private key was destroyed");
        }
    }

    @Override
    public void destroy() {
        Arrays.fill(seed, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "Ed25519PrivateKey[public=" + publicKey.toHex() + "]";
    }
}
