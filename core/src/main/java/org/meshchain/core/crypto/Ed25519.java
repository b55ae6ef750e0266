package org.meshchain.core.crypto;

/**
 * Ed25519 signing and the network's single verification rule (DESIGN 3.2), on Bouncy Castle.
 * Signing input is always the 32-byte domain-separated hash of the signed value.
 */
public final class Ed25519 {

    private Ed25519() {
    }

    public static Ed25519Signature sign(Ed25519PrivateKey key, byte[] message) {
        byte[] sig = new byte[Ed25519Signature.LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(key.seedInternal(), 0, message, 0, message.length, sig, 0);
        return Ed25519Signature.of(sig);
    }

    public static Ed25519Signature sign(Ed25519PrivateKey key, Hash32 digest) {
        return sign(key, digest.toByteArray());
    }

    public static boolean verify(Ed25519PublicKey key, byte[] message, Ed25519Signature signature) {
        org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point = publicPoint(key);
        if (point == null) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
                signature.encodedInternal(), 0, point, message, 0, message.length);
    }

    public static boolean verify(Ed25519PublicKey key, Hash32 digest, Ed25519Signature signature) {
        return verify(key, digest.toByteArray(), signature);
    }

    /** Decodes and strictly validates the key once, then serves the cached point. */
    private static org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint publicPoint(Ed25519PublicKey key) {
        Boolean known = key.cachedValidity();
        if (known != null) {
            return known ? (org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint) key.cachedPoint() : null;
        }
        org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point =
                org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(key.encodedInternal(), 0);
        key.cacheValidation(point != null, point);
        return point;
    }
}
