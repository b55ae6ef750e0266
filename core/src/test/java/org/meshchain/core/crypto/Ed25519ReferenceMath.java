package org.meshchain.core.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A slow, obviously-written twisted Edwards implementation over BigInteger (affine coordinates, formulas
 * of RFC 8032 5.1.4), used only by tests to construct edge-case signatures that a library signer cannot
 * produce: chosen scalars, torsion components, non-canonical encodings. It is checked against RFC 8032's
 * own vectors before being trusted (see {@link Ed25519ReferenceMathTest}).
 */
final class Ed25519ReferenceMath {

    static final BigInteger P = Ed25519Encoding.P;
    static final BigInteger L = Ed25519Encoding.L;
    static final BigInteger D = Ed25519Encoding.D;

    /** An affine point; x and y reduced mod p. */
    record Point(BigInteger x, BigInteger y) {
        static final Point IDENTITY = new Point(BigInteger.ZERO, BigInteger.ONE);

        Point add(Point other) {
            BigInteger x1y2 = x.multiply(other.y);
            BigInteger y1x2 = y.multiply(other.x);
            BigInteger dxxyy = D.multiply(x).multiply(other.x).multiply(y).multiply(other.y).mod(P);
            BigInteger xNum = x1y2.add(y1x2);
            BigInteger xDen = BigInteger.ONE.add(dxxyy);
            // a = -1: y3 = (y1 y2 + x1 x2) / (1 - d x1 x2 y1 y2)
            BigInteger yNum = y.multiply(other.y).add(x.multiply(other.x));
            BigInteger yDen = BigInteger.ONE.subtract(dxxyy);
            return new Point(
                    xNum.multiply(xDen.mod(P).modInverse(P)).mod(P),
                    yNum.multiply(yDen.mod(P).modInverse(P)).mod(P));
        }

        Point negate() {
            return new Point(P.subtract(x).mod(P), y);
        }

        Point multiply(BigInteger scalar) {
            Point result = IDENTITY;
            Point addend = this;
            for (int i = 0; i < scalar.bitLength(); i++) {
                if (scalar.testBit(i)) {
                    result = result.add(addend);
                }
                addend = addend.add(addend);
            }
            return result;
        }

        boolean isOnCurve() {
            BigInteger xx = x.multiply(x).mod(P);
            BigInteger yy = y.multiply(y).mod(P);
            BigInteger left = yy.subtract(xx).mod(P);
            BigInteger right = BigInteger.ONE.add(D.multiply(xx).multiply(yy)).mod(P);
            return left.equals(right);
        }

        /** RFC 8032 5.1.2: y little-endian with the low bit of x in bit 255. */
        byte[] encode() {
            byte[] out = Ed25519Encoding.toLittleEndian(y);
            if (x.testBit(0)) {
                out[31] |= (byte) 0x80;
            }
            return out;
        }
    }

    static final Point BASE = decodeLenient(Ed25519Encoding.toLittleEndian(
            BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P)));

    private Ed25519ReferenceMath() {
    }

    /**
     * Decodes like RFC 8032 5.1.3 but without its canonicality checks: y is taken mod p, and x = 0 with
     * the sign bit set is allowed (giving x = 0). Returns null when no x exists. Tests use it to see what a
     * lenient verifier would have made of an encoding.
     */
    static Point decodeLenient(byte[] encoding) {
        byte[] copy = encoding.clone();
        boolean sign = (copy[31] & 0x80) != 0;
        copy[31] &= 0x7F;
        BigInteger y = Ed25519Encoding.fromLittleEndian(copy).mod(P);
        BigInteger yy = y.multiply(y).mod(P);
        BigInteger u = yy.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(yy).add(BigInteger.ONE).mod(P);
        BigInteger x = Ed25519Encoding.sqrt(u.multiply(v.modInverse(P)).mod(P));
        if (x == null) {
            return null;
        }
        if (x.testBit(0) != sign && x.signum() != 0) {
            x = P.subtract(x);
        }
        return new Point(x, y);
    }

    static BigInteger sha512ModL(byte[]... parts) {
        try {
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            for (byte[] part : parts) {
                sha512.update(part);
            }
            byte[] digest = sha512.digest();
            return Ed25519Encoding.fromLittleEndian(digest).mod(L);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The RFC 8032 5.1.5 secret scalar of a 32-byte seed. */
    static BigInteger secretScalar(byte[] seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
            byte[] low = java.util.Arrays.copyOf(h, 32);
            low[0] &= (byte) 0xF8;
            low[31] &= 0x7F;
            low[31] |= 0x40;
            return Ed25519Encoding.fromLittleEndian(low);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A signature R || S whose R encoding is given and whose S is {@code nonce + k * secret mod L}, with k
     * hashed over the given encodings. With R = [nonce]B and A = [secret]B this is an ordinary signature;
     * tests pass other R and A to build the edge cases.
     */
    static byte[] signWith(byte[] encodedR, BigInteger nonce, byte[] encodedA, BigInteger secret, byte[] message) {
        BigInteger k = sha512ModL(encodedR, encodedA, message);
        BigInteger s = nonce.add(k.multiply(secret)).mod(L);
        return concat(encodedR, Ed25519Encoding.toLittleEndian(s));
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] out = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, out, first.length, second.length);
        return out;
    }

    /** Cofactorless check [S]B == R + [k]A on the leniently decoded points (null if something does not decode). */
    static Boolean cofactorlessEquationHolds(byte[] encodedA, byte[] message, byte[] signature) {
        return equationHolds(encodedA, message, signature, BigInteger.ONE);
    }

    /** Cofactored check [8][S]B == [8]R + [8][k]A on the leniently decoded points. */
    static Boolean cofactoredEquationHolds(byte[] encodedA, byte[] message, byte[] signature) {
        return equationHolds(encodedA, message, signature, BigInteger.valueOf(8));
    }

    private static Boolean equationHolds(byte[] encodedA, byte[] message, byte[] signature, BigInteger cofactor) {
        byte[] encodedR = java.util.Arrays.copyOfRange(signature, 0, 32);
        byte[] encodedS = java.util.Arrays.copyOfRange(signature, 32, 64);
        Point a = decodeLenient(encodedA);
        Point r = decodeLenient(encodedR);
        if (a == null || r == null) {
            return null;
        }
        BigInteger s = Ed25519Encoding.fromLittleEndian(encodedS);
        BigInteger k = sha512ModL(encodedR, encodedA, message);
        Point left = BASE.multiply(s).multiply(cofactor);
        Point right = r.add(a.multiply(k)).multiply(cofactor);
        return left.equals(right);
    }
}
