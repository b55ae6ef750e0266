package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeystoreTest {

    /** Cheap parameters so the tests are fast; the format and code paths are those of the default. */
    private static final Keystore.Argon2Params FAST = new Keystore.Argon2Params(64, 1, 1);
    private static final SecureRandom RANDOM = new SecureRandom();
    // Offsets of version 1 with a 16-byte salt: magic 8, version 2, kdf 1, memory 4, iterations 4,
    // parallelism 1, salt length 1, salt 16, cipher 1, nonce 12, public key 32, ciphertext 48.
    private static final int VERSION_AT = 8;
    private static final int MEMORY_AT = 11;
    private static final int ITERATIONS_AT = 15;
    private static final int PARALLELISM_AT = 19;
    private static final int SALT_LENGTH_AT = 20;
    private static final int SALT_AT = 21;
    private static final int CIPHER_AT = 37;
    private static final int NONCE_AT = 38;
    private static final int PUBLIC_KEY_AT = 50;
    private static final int CIPHERTEXT_AT = 82;
    private static final int FILE_LENGTH = 130;

    private static char[] passphrase(String text) {
        return text.toCharArray();
    }

    @Test
    void roundTripGivesTheSameKeyWhichSignsAndThenDestroys() throws Exception {
        Ed25519PrivateKey original = Ed25519PrivateKey.generate(RANDOM);
        byte[] file = Keystore.encrypt(original, passphrase("correct horse battery staple"), RANDOM, FAST);
        assertThat(file).hasSize(FILE_LENGTH);
        // The seed does not appear in the file.
        assertThat(indexOf(file, original.seedCopy())).isEqualTo(-1);

        Ed25519PrivateKey decrypted = Keystore.decrypt(file, passphrase("correct horse battery staple"));
        assertThat(decrypted.publicKey()).isEqualTo(original.publicKey());
        byte[] message = "after decrypt".getBytes(StandardCharsets.UTF_8);
        assertThat(Ed25519.verify(original.publicKey(), message, Ed25519.sign(decrypted, message))).isTrue();
        byte[] internal = decrypted.seedInternal();
        decrypted.destroy();
        assertThat(internal).containsOnly(0);
        original.destroy();
    }

    @Test
    void headerIsReadableWithoutThePassphrase() throws Exception {
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(RANDOM);
        byte[] file = Keystore.encrypt(key, passphrase("pw"), RANDOM, new Keystore.Argon2Params(128, 2, 2));
        Keystore.Header header = Keystore.readHeader(file);
        assertThat(header.version()).isEqualTo(1);
        assertThat(header.publicKey()).isEqualTo(key.publicKey());
        assertThat(header.params()).isEqualTo(new Keystore.Argon2Params(128, 2, 2));
    }

    @Test
    void wrongPassphraseIsAClearTypedError() {
        byte[] file = Keystore.encrypt(Ed25519PrivateKey.generate(RANDOM), passphrase("right"), RANDOM, FAST);
        assertThatThrownBy(() -> Keystore.decrypt(file, passphrase("wrong")))
                .isInstanceOfSatisfying(KeystoreException.class,
                        e -> assertThat(e.kind()).isEqualTo(KeystoreException.Kind.WRONG_PASSPHRASE_OR_CORRUPT))
                .hasMessageContaining("wrong passphrase");
    }

    @Test
    void everyAuthenticatedByteIsProtected() throws Exception {
        // Salt, nonce, public key and ciphertext: flipping any bit makes authentication fail (the public key
        // is associated data, the salt changes the derived key, the nonce and ciphertext break the tag).
        byte[] file = Keystore.encrypt(Ed25519PrivateKey.generate(RANDOM), passphrase("pw"), RANDOM, FAST);
        for (int at : new int[] {SALT_AT, SALT_AT + 15, NONCE_AT, PUBLIC_KEY_AT, PUBLIC_KEY_AT + 31, CIPHERTEXT_AT, FILE_LENGTH - 1}) {
            byte[] tampered = file.clone();
            tampered[at] ^= 0x01;
            assertThatThrownBy(() -> Keystore.decrypt(tampered, passphrase("pw")))
                    .as("byte %d", at)
                    .isInstanceOfSatisfying(KeystoreException.class,
                            e -> assertThat(e.kind()).isEqualTo(KeystoreException.Kind.WRONG_PASSPHRASE_OR_CORRUPT));
        }
        // A changed cost parameter within bounds derives another key: also an authentication failure.
        byte[] moreIterations = file.clone();
        moreIterations[ITERATIONS_AT] = 2;
        assertThatThrownBy(() -> Keystore.decrypt(moreIterations, passphrase("pw")))
                .isInstanceOfSatisfying(KeystoreException.class,
                        e -> assertThat(e.kind()).isEqualTo(KeystoreException.Kind.WRONG_PASSPHRASE_OR_CORRUPT));
    }

    @Test
    void hostileParametersAreRefusedBeforeAnyDerivation() {
        byte[] file = Keystore.encrypt(Ed25519PrivateKey.generate(RANDOM), passphrase("pw"), RANDOM, FAST);
        // 100 GiB of memory: refused by the bound, not attempted.
        byte[] huge = withU32(file, MEMORY_AT, 100L * 1024 * 1024);
        assertKind(huge, KeystoreException.Kind.UNSAFE_PARAMETERS, "memory");
        assertKind(withU32(file, MEMORY_AT, 0xFFFFFFFFL), KeystoreException.Kind.UNSAFE_PARAMETERS, "memory");
        assertKind(withU32(file, ITERATIONS_AT, 1_000_000), KeystoreException.Kind.UNSAFE_PARAMETERS, "iterations");
        assertKind(withU32(file, ITERATIONS_AT, 0), KeystoreException.Kind.UNSAFE_PARAMETERS, "iterations");
        byte[] lanes = file.clone();
        lanes[PARALLELISM_AT] = (byte) 200;
        assertKind(lanes, KeystoreException.Kind.UNSAFE_PARAMETERS, "parallelism");
    }

    @Test
    void malformedFilesAreRejectedStrictly() {
        byte[] file = Keystore.encrypt(Ed25519PrivateKey.generate(RANDOM), passphrase("pw"), RANDOM, FAST);
        byte[] badMagic = file.clone();
        badMagic[0] = 'X';
        assertKind(badMagic, KeystoreException.Kind.MALFORMED, "magic");
        assertKind(Arrays.copyOf(file, file.length - 1), KeystoreException.Kind.MALFORMED, "truncated");
        assertKind(Arrays.copyOf(file, file.length + 1), KeystoreException.Kind.MALFORMED, "keystore");
        assertKind(new byte[0], KeystoreException.Kind.MALFORMED, "magic");
        assertKind(new byte[Keystore.MAX_FILE_BYTES + 1], KeystoreException.Kind.MALFORMED, "at most");
        byte[] shortSalt = file.clone();
        shortSalt[SALT_LENGTH_AT] = 8;
        assertKind(shortSalt, KeystoreException.Kind.MALFORMED, "salt length");
        byte[] version = file.clone();
        version[VERSION_AT] = 2;
        assertKind(version, KeystoreException.Kind.UNSUPPORTED_VERSION, "version 2");
        byte[] cipher = file.clone();
        cipher[CIPHER_AT] = 9;
        assertKind(cipher, KeystoreException.Kind.UNSUPPORTED_VERSION, "cipher");
    }

    @Test
    void encryptionIsRandomisedAndRefusesAnEmptyPassphrase() {
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(RANDOM);
        byte[] first = Keystore.encrypt(key, passphrase("pw"), RANDOM, FAST);
        byte[] second = Keystore.encrypt(key, passphrase("pw"), RANDOM, FAST);
        assertThat(first).isNotEqualTo(second);
        assertThatThrownBy(() -> Keystore.encrypt(key, new char[0], RANDOM, FAST))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Keystore.Argon2Params(4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Keystore.Argon2Params(Keystore.Argon2Params.MAX_MEMORY_KIB + 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nonAsciiPassphrasesWork() throws Exception {
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(RANDOM);
        byte[] file = Keystore.encrypt(key, passphrase("pässwörd ключ 🔑"), RANDOM, FAST);
        try (Ed25519PrivateKey decrypted = Keystore.decrypt(file, passphrase("pässwörd ключ 🔑"))) {
            assertThat(decrypted.publicKey()).isEqualTo(key.publicKey());
        }
        assertThatThrownBy(() -> Keystore.decrypt(file, passphrase("passwörd ключ 🔑")))
                .isInstanceOf(KeystoreException.class);
    }

    @Test
    void defaultParametersFollowRfc9106AndDecrypt() throws Exception {
        assertThat(Keystore.Argon2Params.DEFAULT).isEqualTo(new Keystore.Argon2Params(65536, 3, 4));
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(RANDOM);
        byte[] file = Keystore.encrypt(key, passphrase("pw"), RANDOM, Keystore.Argon2Params.DEFAULT);
        try (Ed25519PrivateKey decrypted = Keystore.decrypt(file, passphrase("pw"))) {
            assertThat(decrypted.publicKey()).isEqualTo(key.publicKey());
        }
    }

    private static void assertKind(byte[] file, KeystoreException.Kind kind, String messagePart) {
        assertThatThrownBy(() -> Keystore.decrypt(file, passphrase("pw")))
                .isInstanceOfSatisfying(KeystoreException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessageContaining(messagePart);
        assertThatThrownBy(() -> Keystore.readHeader(file)).isInstanceOf(KeystoreException.class);
    }

    private static byte[] withU32(byte[] file, int at, long value) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
