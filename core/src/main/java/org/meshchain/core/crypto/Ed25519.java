package org.meshchain.core.crypto;

/**
 * Ed25519 signing and the network's single verification rule (DESIGN 3.2), on Bouncy Castle.
 * Signing input is always the 32-byte domain-separated hash of the signed value.
 *
 * <p>The rule (docs/adr/0001-ed25519-verification-rule.md), applied by {@link #verify} and so by
 * {@link BatchVerifier}, which calls it: a signature R || S under public key A verifies when
 * <ol>
 *   <li>S is a canonical scalar, S &lt; L;</li>
 *   <li>R is canonically encoded (y &lt; p) and not of small order (order 1, 2, 4 or 8), which also rules out
 *       the "negative zero" encodings, since x = 0 only for the small-order points (0, 1) and (0, -1);</li>
 *   <li>A is canonically encoded, on the curve, not of small order and in the prime-order subgroup
 *       (Bouncy Castle's full public-key validation, done once per key and cached);</li>
 *   <li>R decodes to a curve point; and</li>
 *   <li>the cofactored equation [8][S]B = [8]R + [8][k]A holds, k = SHA-512(R || A || M) mod L
 *       (Bouncy Castle 1.86 evaluates exactly this).</li>
 * </ol>
 * Verification never throws for any 32-byte key and 64-byte signature: bad input is simply {@code false}.
 */
public final class Ed25519 {

    /**
     * Validated points shared by all key instances with the same encoding: every decoded transaction or
     * frame brings a fresh {@link Ed25519PublicKey}, and the strict validation (decompression plus the
     * prime-order check) costs about as much as a verification. Direct-mapped and bounded; only valid
     * keys are stored, so a hit is exactly what validation would return and results cannot differ.
     */
    private static final int SHARED_POINTS = 1 << 14;
    private static final java.util.concurrent.atomic.AtomicReferenceArray<SharedPoint> sharedPoints =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(SHARED_POINTS);
    private static final java.util.concurrent.atomic.LongAdder fullValidations = new java.util.concurrent.atomic.LongAdder();

    private record SharedPoint(byte[] encoded, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point) {}

    private Ed25519() {
    }

    public static Ed25519Signature sign(Ed25519PrivateKey key, byte[] message) {
        byte[] sig = new byte[Ed25519Signature.LENGTH];
        // Passing the (cached) public key saves Bouncy Castle re-deriving it, one of the two base-point
        // multiplications of a signature; the signature is the same.
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(key.seedInternal(), 0, key.publicKey().encodedInternal(), 0,
                message, 0, message.length, sig, 0);
        return Ed25519Signature.of(sig);
    }

    public static Ed25519Signature sign(Ed25519PrivateKey key, Hash32 digest) {
        return sign(key, digest.toByteArray());
    }

    public static boolean verify(Ed25519PublicKey key, byte[] message, Ed25519Signature signature) {
        byte[] sig = signature.encodedInternal();
        // Bouncy Castle checks S < L itself; checking here first keeps the rule explicit and independent of
        // the library version, and rejects malleated signatures before any curve arithmetic.
        if (!Ed25519Encoding.isCanonicalScalar(sig, Ed25519Encoding.POINT_LENGTH)) {
            return false;
        }
        if (!Ed25519Encoding.isCanonicalY(sig, 0) || Ed25519Encoding.hasSmallOrderY(sig, 0)) {
            return false;
        }
        org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point = publicPoint(key);
        if (point == null) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sig, 0, point, message, 0, message.length);
    }

    public static boolean verify(Ed25519PublicKey key, Hash32 digest, Ed25519Signature signature) {
        return verify(key, digest.toByteArray(), signature);
    }

    /**
     * Whether {@code key} passes the public-key part of the rule: canonical, on the curve, not of small
     * order, in the prime-order subgroup. A key that fails never verifies any signature.
     */
    public static boolean isValidPublicKey(Ed25519PublicKey key) {
        return publicPoint(key) != null;
    }

    /** Decodes and strictly validates the key once, then serves the cached point. */
    private static org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint publicPoint(Ed25519PublicKey key) {
        Boolean known = key.cachedValidity();
        if (known != null) {
            return known ? (org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint) key.cachedPoint() : null;
        }
        byte[] encoded = key.encodedInternal();
        int slot = java.util.Arrays.hashCode(encoded) & (SHARED_POINTS - 1);
        SharedPoint shared = sharedPoints.get(slot);
        if (shared != null && java.util.Arrays.equals(shared.encoded(), encoded)) {
            key.cacheValidation(true, shared.point());
            return shared.point();
        }
        // validatePublicKeyFullExport rejects y >= p, y in {0, 1, p - 1} and the order-8 y values, points off
        // the curve, x = 0 with the sign bit set, and any point with a torsion component ([L]A != O).
        fullValidations.increment();
        org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point =
                org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(encoded, 0);
        key.cacheValidation(point != null, point);
        if (point != null) {
            sharedPoints.set(slot, new SharedPoint(encoded, point));
        }
        return point;
    }

    /** Full (uncached) public-key validations so far: for tests of the shared point table. */
    static long fullValidations() {
        return fullValidations.sum();
    }
}
