package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof-style edge cases, constructed here with the BigInteger reference (no third-party tables).
 * Each case states the verdict the network rule must give and why; where a case is rejected only by an
 * encoding check, the test also shows that the group equation itself holds, so the check is what matters.
 */
class Ed25519EdgeCasesTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MESSAGE = "meshchain edge case".getBytes(StandardCharsets.UTF_8);
    private static final BigInteger SECRET = Ed25519ReferenceMath.secretScalar(
            HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
    private static final Ed25519ReferenceMath.Point PUBLIC = Ed25519ReferenceMath.BASE.multiply(SECRET);
    private static final byte[] PUBLIC_ENCODED = PUBLIC.encode();
    private static final BigInteger NONCE = new BigInteger("123456789012345678901234567890123456789");

    private static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        return Ed25519.verify(Ed25519PublicKey.of(publicKey), message, Ed25519Signature.of(signature));
    }

    private static byte[] honestSignature() {
        return Ed25519ReferenceMath.signWith(
                Ed25519ReferenceMath.BASE.multiply(NONCE).encode(), NONCE, PUBLIC_ENCODED, SECRET, MESSAGE);
    }

    /** The eight points of order 1, 2, 4 and 8, from the production y's and both signs of x. */
    private static List<Ed25519ReferenceMath.Point> smallOrderPoints() {
        List<Ed25519ReferenceMath.Point> points = new ArrayList<>();
        for (BigInteger y : Ed25519Encoding.smallOrderYs()) {
            Ed25519ReferenceMath.Point point = Ed25519ReferenceMath.decodeLenient(Ed25519Encoding.toLittleEndian(y));
            points.add(point);
            if (point.x().signum() != 0) {
                points.add(point.negate());
            }
        }
        assertThat(points).hasSize(8);
        return points;
    }

    private static Ed25519ReferenceMath.Point orderEightPoint() {
        for (Ed25519ReferenceMath.Point point : smallOrderPoints()) {
            Ed25519ReferenceMath.Point fourTimes = point.add(point).add(point.add(point));
            if (!fourTimes.equals(Ed25519ReferenceMath.Point.IDENTITY)) {
                return point;
            }
        }
        throw new AssertionError("no point of order 8");
    }

    @Test
    void honestSignatureFromTheReferenceVerifies() {
        // Baseline: R = [r]B, S = r + k a mod L. Expected true; proves the reference signs like RFC 8032.
        assertThat(verify(PUBLIC_ENCODED, MESSAGE, honestSignature())).isTrue();
        assertThat(verify(PUBLIC_ENCODED, "other".getBytes(StandardCharsets.UTF_8), honestSignature())).isFalse();
    }

    @Test
    void scalarAtOrAboveTheGroupOrderIsRejected() {
        byte[] signature = honestSignature();
        BigInteger s = Ed25519Encoding.fromLittleEndian(Arrays.copyOfRange(signature, 32, 64));

        // S + L: [S + L]B = [S]B, so the group equation still holds; accepting it would make every signature
        // malleable (a second valid encoding anyone can compute). Expected false, by S < L alone.
        byte[] malleated = withScalar(signature, s.add(Ed25519ReferenceMath.L));
        assertThat(Ed25519ReferenceMath.cofactorlessEquationHolds(PUBLIC_ENCODED, MESSAGE, malleated)).isTrue();
        assertThat(verify(PUBLIC_ENCODED, MESSAGE, malleated)).isFalse();

        // S = L exactly (the smallest non-canonical scalar) and S with the top bit set: expected false.
        assertThat(verify(PUBLIC_ENCODED, MESSAGE, withScalar(signature, Ed25519ReferenceMath.L))).isFalse();
        byte[] topBit = signature.clone();
        topBit[63] |= (byte) 0x80;
        assertThat(verify(PUBLIC_ENCODED, MESSAGE, topBit)).isFalse();
        // S = L - 1 is canonical: the predicate accepts it (the signature is then just wrong).
        byte[] largestCanonical = withScalar(signature, Ed25519ReferenceMath.L.subtract(BigInteger.ONE));
        assertThat(Ed25519Encoding.isCanonicalScalar(largestCanonical, 32)).isTrue();
        assertThat(Ed25519Encoding.isCanonicalScalar(withScalar(signature, Ed25519ReferenceMath.L), 32)).isFalse();
    }

    @Test
    void smallOrderPublicKeysAreRejectedAlthoughTheCofactoredEquationHoldsForAnyMessage() {
        // With A of order dividing 8, [8][k]A = O, so R = [r]B, S = r satisfies the cofactored equation for
        // every message: a key that "signs" everything. Expected false for all eight points.
        byte[] rEncoded = Ed25519ReferenceMath.BASE.multiply(NONCE).encode();
        byte[] signature = Ed25519ReferenceMath.concat(rEncoded, Ed25519Encoding.toLittleEndian(NONCE));
        for (Ed25519ReferenceMath.Point torsion : smallOrderPoints()) {
            byte[] publicKey = torsion.encode();
            assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(publicKey, MESSAGE, signature)).isTrue();
            assertThat(verify(publicKey, MESSAGE, signature)).as("A = %s", HEX.formatHex(publicKey)).isFalse();
            assertThat(Ed25519.isValidPublicKey(Ed25519PublicKey.of(publicKey))).isFalse();
        }
    }

    @Test
    void nonCanonicalEncodingsOfPublicKeysAreRejected() {
        byte[] rEncoded = Ed25519ReferenceMath.BASE.multiply(NONCE).encode();
        byte[] signature = Ed25519ReferenceMath.concat(rEncoded, Ed25519Encoding.toLittleEndian(NONCE));
        for (byte[] publicKey : nonCanonicalSmallOrderEncodings()) {
            // A lenient decoder (y mod p, x = 0 with either sign) would find a small-order point and accept
            // under the cofactored equation; the rule rejects the encoding. Expected false.
            assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(publicKey, MESSAGE, signature)).isTrue();
            assertThat(verify(publicKey, MESSAGE, signature)).as("A = %s", HEX.formatHex(publicKey)).isFalse();
        }
    }

    @Test
    void mixedOrderPublicKeyIsRejected() {
        // A = [a]B + T8: signatures made with a satisfy the cofactored equation, and the cofactorless one
        // only when k is a multiple of 8, so verifiers of either kind would disagree across messages. The
        // rule requires A in the prime-order subgroup. Expected false.
        Ed25519ReferenceMath.Point mixed = PUBLIC.add(orderEightPoint());
        byte[] publicKey = mixed.encode();
        byte[] signature = Ed25519ReferenceMath.signWith(
                Ed25519ReferenceMath.BASE.multiply(NONCE).encode(), NONCE, publicKey, SECRET, MESSAGE);
        assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(publicKey, MESSAGE, signature)).isTrue();
        assertThat(verify(publicKey, MESSAGE, signature)).isFalse();
    }

    @Test
    void mixedOrderNonceIsAcceptedBecauseTheRuleIsCofactored() {
        // R = [r]B + T with T of order 2 or 8, S = r + k a. [S]B - R - [k]A = -T: the cofactorless equation
        // fails, the cofactored one holds. Only the key holder can make such a signature (S needs a), so it
        // forges nothing; it is the one place the two rules differ once A is torsion-free and S < L, and
        // the ADR picks cofactored. Expected true, in single and batch verification alike.
        for (Ed25519ReferenceMath.Point torsion : smallOrderPoints()) {
            if (torsion.equals(Ed25519ReferenceMath.Point.IDENTITY)) {
                continue;
            }
            byte[] rEncoded = Ed25519ReferenceMath.BASE.multiply(NONCE).add(torsion).encode();
            byte[] signature = Ed25519ReferenceMath.signWith(rEncoded, NONCE, PUBLIC_ENCODED, SECRET, MESSAGE);
            assertThat(Ed25519ReferenceMath.cofactorlessEquationHolds(PUBLIC_ENCODED, MESSAGE, signature)).isFalse();
            assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(PUBLIC_ENCODED, MESSAGE, signature)).isTrue();
            assertThat(verify(PUBLIC_ENCODED, MESSAGE, signature)).isTrue();
            try (BatchVerifier batch = new BatchVerifier(2, 4)) {
                Ed25519PublicKey key = Ed25519PublicKey.of(PUBLIC_ENCODED);
                assertThat(batch.verifyAll(List.of(
                        new BatchVerifier.Item(key, MESSAGE, Ed25519Signature.of(signature)),
                        new BatchVerifier.Item(key, MESSAGE, Ed25519Signature.of(honestSignature())))))
                        .containsExactly(true, true);
            }
        }
    }

    @Test
    void smallOrderNonceIsRejectedAlthoughTheEquationHolds() {
        // R = T of small order, S = k a: [S]B = [k]A, so [8]([S]B - R - [k]A) = O (and for T = O even the
        // cofactorless equation holds). R carries no commitment to a nonce; DESIGN 3.2 rejects it.
        // Expected false for all eight points.
        for (Ed25519ReferenceMath.Point torsion : smallOrderPoints()) {
            byte[] rEncoded = torsion.encode();
            byte[] signature = Ed25519ReferenceMath.signWith(rEncoded, BigInteger.ZERO, PUBLIC_ENCODED, SECRET, MESSAGE);
            assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(PUBLIC_ENCODED, MESSAGE, signature)).isTrue();
            assertThat(verify(PUBLIC_ENCODED, MESSAGE, signature)).as("R = %s", HEX.formatHex(rEncoded)).isFalse();
        }
    }

    @Test
    void bouncyCastleAloneAcceptsSomeSmallOrderNoncesWhichIsWhyTheRuleAddsTheCheck() {
        // Documents the gap our explicit R check closes: BC 1.86's verify checks R's y < p and that R
        // decodes, but not R's order. If a later BC rejects these itself, this test says so.
        org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point =
                org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(PUBLIC_ENCODED, 0);
        int acceptedByBouncyCastle = 0;
        for (Ed25519ReferenceMath.Point torsion : smallOrderPoints()) {
            byte[] signature = Ed25519ReferenceMath.signWith(
                    torsion.encode(), BigInteger.ZERO, PUBLIC_ENCODED, SECRET, MESSAGE);
            if (org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, MESSAGE, 0, MESSAGE.length)) {
                acceptedByBouncyCastle++;
            }
            assertThat(verify(PUBLIC_ENCODED, MESSAGE, signature)).isFalse();
        }
        assertThat(acceptedByBouncyCastle).isEqualTo(8);
    }

    @Test
    void nonCanonicalNonceEncodingsAreRejected() {
        // Non-canonical R bytes (y >= p, or x = 0 with the sign bit) for points a lenient decoder accepts,
        // with S = k a over those exact bytes: the cofactored equation holds. Expected false: a second
        // encoding of the same R would give a second valid signature for one (R, S) pair's meaning.
        for (byte[] rEncoded : nonCanonicalSmallOrderEncodings()) {
            byte[] signature = Ed25519ReferenceMath.signWith(rEncoded, BigInteger.ZERO, PUBLIC_ENCODED, SECRET, MESSAGE);
            assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(PUBLIC_ENCODED, MESSAGE, signature)).isTrue();
            assertThat(verify(PUBLIC_ENCODED, MESSAGE, signature)).as("R = %s", HEX.formatHex(rEncoded)).isFalse();
        }
    }

    @Test
    void batchVerificationGivesTheSameVerdictsAsSingleOnEveryEdgeCase() {
        // The rule must not depend on the path: every constructed case, in one batch (large enough to be
        // split across workers), gets the verdict single verification gives and the one expected above.
        List<BatchVerifier.Item> items = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        Ed25519PublicKey honestKey = Ed25519PublicKey.of(PUBLIC_ENCODED);
        items.add(new BatchVerifier.Item(honestKey, MESSAGE, Ed25519Signature.of(honestSignature())));
        expected.add(true);
        BigInteger s = Ed25519Encoding.fromLittleEndian(Arrays.copyOfRange(honestSignature(), 32, 64));
        items.add(new BatchVerifier.Item(honestKey, MESSAGE,
                Ed25519Signature.of(withScalar(honestSignature(), s.add(Ed25519ReferenceMath.L)))));
        expected.add(false);
        byte[] anyMessageSignature = Ed25519ReferenceMath.concat(
                Ed25519ReferenceMath.BASE.multiply(NONCE).encode(), Ed25519Encoding.toLittleEndian(NONCE));
        for (Ed25519ReferenceMath.Point torsion : smallOrderPoints()) {
            items.add(new BatchVerifier.Item(Ed25519PublicKey.of(torsion.encode()), MESSAGE,
                    Ed25519Signature.of(anyMessageSignature)));
            expected.add(false);
            byte[] smallOrderNonce = Ed25519ReferenceMath.signWith(
                    torsion.encode(), BigInteger.ZERO, PUBLIC_ENCODED, SECRET, MESSAGE);
            items.add(new BatchVerifier.Item(honestKey, MESSAGE, Ed25519Signature.of(smallOrderNonce)));
            expected.add(false);
            if (!torsion.equals(Ed25519ReferenceMath.Point.IDENTITY)) {
                byte[] mixedNonce = Ed25519ReferenceMath.signWith(
                        Ed25519ReferenceMath.BASE.multiply(NONCE).add(torsion).encode(), NONCE, PUBLIC_ENCODED, SECRET, MESSAGE);
                items.add(new BatchVerifier.Item(honestKey, MESSAGE, Ed25519Signature.of(mixedNonce)));
                expected.add(true);
            }
        }
        for (byte[] encoding : nonCanonicalSmallOrderEncodings()) {
            items.add(new BatchVerifier.Item(Ed25519PublicKey.of(encoding), MESSAGE, Ed25519Signature.of(anyMessageSignature)));
            expected.add(false);
            byte[] nonCanonicalNonce = Ed25519ReferenceMath.signWith(encoding, BigInteger.ZERO, PUBLIC_ENCODED, SECRET, MESSAGE);
            items.add(new BatchVerifier.Item(honestKey, MESSAGE, Ed25519Signature.of(nonCanonicalNonce)));
            expected.add(false);
        }
        boolean[] verdicts;
        try (BatchVerifier batch = new BatchVerifier(2, 2)) {
            verdicts = batch.verifyAll(items);
        }
        assertThat(items.size()).isGreaterThan(BatchVerifier.MIN_PARALLEL_BATCH);
        for (int i = 0; i < items.size(); i++) {
            BatchVerifier.Item item = items.get(i);
            assertThat(verdicts[i]).as("case %d", i).isEqualTo(expected.get(i))
                    .isEqualTo(Ed25519.verify(item.key(), item.message(), item.signature()));
        }
    }

    @Test
    void canonicalityPredicateBoundaries() {
        // y = p - 1 is the largest canonical y; p, p + 1 and 2^255 - 1 are not, with either sign bit.
        BigInteger p = Ed25519ReferenceMath.P;
        assertThat(Ed25519Encoding.isCanonicalY(Ed25519Encoding.toLittleEndian(p.subtract(BigInteger.ONE)), 0)).isTrue();
        for (BigInteger y : List.of(p, p.add(BigInteger.ONE), BigInteger.TWO.pow(255).subtract(BigInteger.ONE))) {
            byte[] encoded = Ed25519Encoding.toLittleEndian(y);
            assertThat(Ed25519Encoding.isCanonicalY(encoded, 0)).isFalse();
            encoded[31] |= (byte) 0x80;
            assertThat(Ed25519Encoding.isCanonicalY(encoded, 0)).isFalse();
        }
        byte[] zeroWithSign = new byte[32];
        zeroWithSign[31] = (byte) 0x80;
        assertThat(Ed25519Encoding.isCanonicalY(zeroWithSign, 0)).isTrue();
    }

    @Test
    void pointsOffTheCurveAreRejected() {
        byte[] offCurve = firstYWithoutPoint();
        // A off the curve: expected false (no point to verify against).
        assertThat(verify(offCurve, MESSAGE, honestSignature())).isFalse();
        // R off the curve (S kept): expected false.
        byte[] signature = honestSignature();
        System.arraycopy(offCurve, 0, signature, 0, 32);
        assertThat(verify(PUBLIC_ENCODED, MESSAGE, signature)).isFalse();
    }

    private static byte[] firstYWithoutPoint() {
        for (int y = 2; y < 1000; y++) {
            byte[] encoded = Ed25519Encoding.toLittleEndian(BigInteger.valueOf(y));
            if (Ed25519ReferenceMath.decodeLenient(encoded) == null) {
                return encoded;
            }
        }
        throw new AssertionError("every small y has a point");
    }

    /**
     * Encodings a lenient decoder maps to small-order points: the "negative zero" forms of (0, 1) and
     * (0, -1), and y + p for y = 0 and y = 1 (the only small-order y below 19), each with both sign bits.
     */
    private static List<byte[]> nonCanonicalSmallOrderEncodings() {
        List<byte[]> encodings = new ArrayList<>();
        byte[] negativeZeroIdentity = Ed25519Encoding.toLittleEndian(BigInteger.ONE);
        negativeZeroIdentity[31] |= (byte) 0x80;
        encodings.add(negativeZeroIdentity);
        byte[] negativeZeroOrderTwo = Ed25519Encoding.toLittleEndian(Ed25519ReferenceMath.P.subtract(BigInteger.ONE));
        negativeZeroOrderTwo[31] |= (byte) 0x80;
        encodings.add(negativeZeroOrderTwo);
        for (BigInteger y : List.of(Ed25519ReferenceMath.P, Ed25519ReferenceMath.P.add(BigInteger.ONE))) {
            byte[] positive = Ed25519Encoding.toLittleEndian(y);
            byte[] negative = positive.clone();
            negative[31] |= (byte) 0x80;
            encodings.add(positive);
            encodings.add(negative);
        }
        for (byte[] encoding : encodings) {
            assertThat(Ed25519ReferenceMath.decodeLenient(encoding)).isNotNull();
        }
        return encodings;
    }

    private static byte[] withScalar(byte[] signature, BigInteger s) {
        byte[] out = signature.clone();
        System.arraycopy(Ed25519Encoding.toLittleEndian(s), 0, out, 32, 32);
        return out;
    }
}
