package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class Ed25519PrivateKeyTest {

    @Test
    void destroyZeroesTheSeedAndTheKeyRefusesToSign() {
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        byte[] internal = key.seedInternal();
        assertThat(internal).isNotEqualTo(new byte[32]);
        key.destroy();
        assertThat(internal).containsOnly(0);
        assertThat(key.isDestroyed()).isTrue();
        assertThatThrownBy(() -> Ed25519.sign(key, new byte[] {1})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(key::seedCopy).isInstanceOf(IllegalStateException.class);
        // The public key stays usable for verification after the private key is gone.
        assertThat(Ed25519.isValidPublicKey(key.publicKey())).isTrue();
    }

    @Test
    void fromSeedCopiesSoTheCallerCanZeroItsArray() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        byte[] message = "m".getBytes(StandardCharsets.UTF_8);
        try (Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(seed)) {
            Ed25519Signature before = Ed25519.sign(key, message);
            java.util.Arrays.fill(seed, (byte) 0);
            assertThat(Ed25519.sign(key, message)).isEqualTo(before);
            assertThat(Ed25519.verify(key.publicKey(), message, before)).isTrue();
        }
    }

    @Test
    void generatedKeysAreValidAndDistinct() {
        SecureRandom random = new SecureRandom();
        try (Ed25519PrivateKey first = Ed25519PrivateKey.generate(random);
             Ed25519PrivateKey second = Ed25519PrivateKey.generate(random)) {
            assertThat(first.publicKey()).isNotEqualTo(second.publicKey());
            assertThat(Ed25519.isValidPublicKey(first.publicKey())).isTrue();
            assertThat(first.toString()).doesNotContain(java.util.HexFormat.of().formatHex(first.seedCopy()));
        }
    }
}
