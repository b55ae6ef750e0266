package org.meshchain.core.crypto;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoding checks of the network's Ed25519 rule (docs/adr/0001-ed25519-verification-rule.md) that
 * Bouncy Castle's {@code verify} does not make for R: it already checks R's y below p, R on the curve,
 * S below L and the full validity of A; it does not reject an R of small order.
 *
 * <p>The y-coordinates of the eight points of order dividing 8 are derived here from the curve equation
 * with {@link BigInteger} arithmetic, once, at class initialisation, rather than copied from a table.
 * A point has small order exactly when its y is one of these five values (each y stands for the point
 * and its negation), so comparing the 255 y-bits of an encoding is enough; the sign bit does not matter,
 * which also catches the non-canonical "negative zero" encodings of (0, 1) and (0, -1).
 */
final class Ed25519Encoding {

    static final int POINT_LENGTH = 32;
    static final int SCALAR_LENGTH = 32;

    /** p = 2^255 - 19, the field prime. */
    static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    /** L = 2^252 + 27742317777372353535851937790883648493, the prime order of the base point. */
    static final BigInteger L =
            BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    /** d = -121665 / 121666 mod p, the curve constant of -x^2 + y^2 = 1 + d x^2 y^2. */
    static final BigInteger D = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P))
            .mod(P);
    /** A square root of -1 mod p: 2^((p-1)/4). */
    static final BigInteger SQRT_MINUS_ONE =
            BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);

    private static final byte[] P_LE = toLittleEndian(P);
    private static final byte[] L_LE = toLittleEndian(L);
    private static final byte[][] SMALL_ORDER_Y = smallOrderYCoordinates();

    private Ed25519Encoding() {
    }

    /** True when the 255-bit y of the point encoding at {@code offset} is below p (the sign bit is ignored). */
    static boolean isCanonicalY(byte[] encoding, int offset) {
        return compareLittleEndian(encoding, offset, P_LE, true) < 0;
    }

    /** True when the 32-byte little-endian scalar at {@code offset} is below L (RFC 8032 5.1.7 step 1). */
    static boolean isCanonicalScalar(byte[] bytes, int offset) {
        return compareLittleEndian(bytes, offset, L_LE, false) < 0;
    }

    /** True when the encoding's y (sign bit ignored) is the y of one of the eight points of order 1, 2, 4 or 8. */
    static boolean hasSmallOrderY(byte[] encoding, int offset) {
        for (byte[] y : SMALL_ORDER_Y) {
            if (compareLittleEndian(encoding, offset, y, true) == 0) {
                return true;
            }
        }
        return false;
    }

    /** The distinct y-coordinates of the small-order points, as 32 little-endian bytes; for tests. */
    static List<BigInteger> smallOrderYs() {
        List<BigInteger> result = new ArrayList<>();
        for (byte[] y : SMALL_ORDER_Y) {
            result.add(fromLittleEndian(y));
        }
        return result;
    }

    /**
     * y = 1 is the neutral element (0, 1); y = -1 is (0, -1), of order 2; y = 0 gives x^2 = -1, the two
     * points of order 4. A point (x, y) has order 8 when its double has order 4, that is y(2P) = 0: with
     * y(2P) = (x^2 + y^2) / (2 + x^2 - y^2) that means x^2 = -y^2, and substituted into the curve equation
     * d y^4 + 2 y^2 - 1 = 0, so y^2 = (-1 +- sqrt(1 + d)) / d. Of the two roots only one is a square; its
     * two square roots +-y are the y of the four points of order 8 (each with x and -x).
     */
    private static byte[][] smallOrderYCoordinates() {
        List<BigInteger> ys = new ArrayList<>();
        ys.add(BigInteger.ONE);
        ys.add(P.subtract(BigInteger.ONE));
        ys.add(BigInteger.ZERO);
        BigInteger sqrtOnePlusD = sqrt(BigInteger.ONE.add(D).mod(P));
        if (sqrtOnePlusD == null) {
            throw new IllegalStateException("1 + d must be a square mod p for points of order 8 to exist");
        }
        BigInteger inverseD = D.modInverse(P);
        for (BigInteger root : List.of(sqrtOnePlusD, P.subtract(sqrtOnePlusD))) {
            BigInteger ySquared = root.subtract(BigInteger.ONE).multiply(inverseD).mod(P);
            BigInteger y = sqrt(ySquared);
            if (y != null) {
                ys.add(y);
                ys.add(P.subtract(y));
            }
        }
        if (ys.size() != 5) {
            throw new IllegalStateException("expected 5 small-order y-coordinates, derived " + ys.size());
        }
        byte[][] encoded = new byte[ys.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = toLittleEndian(ys.get(i));
        }
        return encoded;
    }

    /** A square root mod p (p = 5 mod 8), or null when {@code a} is not a square. */
    static BigInteger sqrt(BigInteger a) {
        BigInteger candidate = a.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
        BigInteger square = candidate.multiply(candidate).mod(P);
        if (square.equals(a.mod(P))) {
            return candidate;
        }
        if (square.equals(P.subtract(a).mod(P))) {
            return candidate.multiply(SQRT_MINUS_ONE).mod(P);
        }
        return null;
    }

    static byte[] toLittleEndian(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 256) {
            throw new IllegalArgumentException("value does not fit in 32 unsigned bytes");
        }
        byte[] bigEndian = value.toByteArray();
        byte[] result = new byte[32];
        for (int i = 0; i < 32 && i < bigEndian.length; i++) {
            result[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return result;
    }

    static BigInteger fromLittleEndian(byte[] littleEndian) {
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[littleEndian.length - 1 - i] = littleEndian[i];
        }
        return new BigInteger(1, bigEndian);
    }

    /** Unsigned comparison of 32 little-endian bytes; with {@code ignoreSignBit} bit 255 of {@code a} is masked. */
    private static int compareLittleEndian(byte[] a, int offset, byte[] b, boolean ignoreSignBit) {
        for (int i = 31; i >= 0; i--) {
            int left = a[offset + i] & 0xFF;
            if (i == 31 && ignoreSignBit) {
                left &= 0x7F;
            }
            int right = b[i] & 0xFF;
            if (left != right) {
                return left < right ? -1 : 1;
            }
        }
        return 0;
    }
}
