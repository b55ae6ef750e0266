package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The table of validated points shared by key instances with the same encoding. */
class Ed25519SharedPointsTest {

    private static final byte[] MESSAGE = "shared point".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSecondInstanceOfAValidKeyIsNotValidatedAgain() {
        Ed25519PrivateKey signer = Ed25519PrivateKey.generate(new SecureRandom());
        Ed25519Signature signature = Ed25519.sign(signer, MESSAGE);
        byte[] encoded = signer.publicKey().toByteArray();

        long before = Ed25519.fullValidations();
        assertThat(Ed25519.verify(Ed25519PublicKey.of(encoded), MESSAGE, signature)).isTrue();
        long afterFirst = Ed25519.fullValidations();
        assertThat(afterFirst - before).isLessThanOrEqualTo(1);

        Ed25519PublicKey fresh = Ed25519PublicKey.of(encoded);
        assertThat(Ed25519.verify(fresh, MESSAGE, signature)).isTrue();
        assertThat(Ed25519.fullValidations()).isEqualTo(afterFirst);

        // the shared point changes nothing about what verifies
        byte[] otherMessage = "other".getBytes(StandardCharsets.UTF_8);
        assertThat(Ed25519.verify(Ed25519PublicKey.of(encoded), otherMessage, signature)).isFalse();
    }

    @Test
    void invalidKeysAreNeverSharedSoEachInstanceIsCheckedAndFails() {
        byte[] smallOrder = new byte[32];
        smallOrder[0] = 1; // y = 1: the identity, order 1
        Ed25519Signature anySignature = Ed25519Signature.of(new byte[64]);

        long before = Ed25519.fullValidations();
        assertThat(Ed25519.isValidPublicKey(Ed25519PublicKey.of(smallOrder))).isFalse();
        assertThat(Ed25519.isValidPublicKey(Ed25519PublicKey.of(smallOrder))).isFalse();
        assertThat(Ed25519.verify(Ed25519PublicKey.of(smallOrder), MESSAGE, anySignature)).isFalse();
        assertThat(Ed25519.fullValidations() - before).isEqualTo(2);
    }

    @Test
    void keysThatShareASlotEvictEachOtherButStayCorrect() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            Ed25519PrivateKey signer = Ed25519PrivateKey.generate(random);
            Ed25519Signature signature = Ed25519.sign(signer, MESSAGE);
            assertThat(Ed25519.verify(Ed25519PublicKey.of(signer.publicKey().toByteArray()), MESSAGE, signature)).isTrue();
        }
    }
}
