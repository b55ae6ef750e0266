package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzz-style properties without Jazzer: verification of arbitrary bytes never throws and only says false.
 * Keys and signatures are drawn both uniformly and from "interesting" bytes (0x00, 0xFF, 0x7F, 0x80, 0xED,
 * 0x01), which hit the boundaries of the canonical checks (y near p, S near 2^256, sign bits).
 */
class Ed25519VerifyFuzzTest {

    @Property(tries = 2000)
    void randomKeysAndSignaturesNeverThrowAndNeverVerify(
            @ForAll("keyBytes") byte[] key, @ForAll("signatureBytes") byte[] signature,
            @ForAll @Size(max = 64) byte[] message) {
        Ed25519PublicKey publicKey = Ed25519PublicKey.of(key);
        // Random R and S verify with probability about 2^-250; a true here would be a bug.
        assertThat(Ed25519.verify(publicKey, message, Ed25519Signature.of(signature))).isFalse();
        // Asking twice exercises the cached point (or cached rejection) of the key.
        assertThat(Ed25519.verify(publicKey, message, Ed25519Signature.of(signature))).isFalse();
    }

    @Property(tries = 500)
    void realKeyWithRandomSignaturesNeverThrowsAndNeverVerifies(
            @ForAll("signatureBytes") byte[] signature, @ForAll @Size(max = 64) byte[] message) {
        try (Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(new byte[32])) {
            assertThat(Ed25519.verify(key.publicKey(), message, Ed25519Signature.of(signature))).isFalse();
        }
    }

    @Property(tries = 300)
    void randomNonceWithCanonicalScalarReachesTheCurveArithmeticAndNeverVerifies(
            @ForAll("signatureBytes") byte[] signature, @ForAll @Size(max = 64) byte[] message) {
        // Uniform S is >= L fifteen times in sixteen and stops at the scalar check; clearing the top nibble
        // makes S < L so that R's checks, R's decoding and the equation are exercised.
        signature[63] &= 0x0F;
        try (Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(new byte[32])) {
            assertThat(Ed25519.verify(key.publicKey(), message, Ed25519Signature.of(signature))).isFalse();
        }
    }

    @Provide
    Arbitrary<byte[]> keyBytes() {
        return bytesOf(32);
    }

    @Provide
    Arbitrary<byte[]> signatureBytes() {
        return bytesOf(64);
    }

    private static Arbitrary<byte[]> bytesOf(int length) {
        Arbitrary<Byte> interesting = Arbitraries.of((byte) 0x00, (byte) 0xFF, (byte) 0x7F, (byte) 0x80, (byte) 0xED, (byte) 0x01);
        Arbitrary<Byte> any = Arbitraries.bytes();
        return Arbitraries.oneOf(
                any.array(byte[].class).ofSize(length),
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, interesting), net.jqwik.api.Tuple.of(1, any))
                        .array(byte[].class).ofSize(length));
    }
}
