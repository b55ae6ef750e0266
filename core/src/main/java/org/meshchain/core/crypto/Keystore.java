package org.meshchain.core.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;

/**
 * An Ed25519 private key encrypted at rest (DESIGN 3.2): AES-256-GCM under a key derived from the
 * operator's passphrase with Argon2id (RFC 9106, Bouncy Castle). Pure: no files; the CLI does the I/O.
 *
 * <p>Format version 1, in the canonical encoding (little-endian integers), strictly parsed:
 * <pre>
 *   magic        8 bytes   "MESHKEY\0"
 *   version      u16       1
 *   kdf          u8        1 = Argon2id v1.3
 *   memory       u32       KiB, 8 * parallelism .. 1 GiB
 *   iterations   u32       1 .. 16
 *   parallelism  u8        1 .. 16
 *   salt         u8 length (16 .. 64) + bytes
 *   cipher       u8        1 = AES-256-GCM, 128-bit tag
 *   nonce        12 bytes
 *   public key   32 bytes  in clear, so the address can be shown without the passphrase
 *   ciphertext   48 bytes  the 32-byte seed encrypted, then the 16-byte tag
 * </pre>
 * Everything before the ciphertext is the GCM associated data, so a changed public key, salt or
 * parameter fails authentication just like a changed ciphertext. Decoding bounds the Argon2 cost before
 * deriving anything: a hostile file cannot make us allocate more than 1 GiB or iterate more than 16 times.
 *
 * <p>Secrets we hold are zeroed after use: the UTF-8 passphrase copy, the derived key (and Bouncy Castle's
 * copy of it), the plaintext seed. The caller owns (and should zero) the passphrase {@code char[]}.
 * Cipher-internal state (the AES key schedule) is not reachable and is left to the garbage collector.
 */
public final class Keystore {

    public static final int VERSION = 1;
    /** Keystore files are far smaller; readers refuse anything larger before parsing. */
    public static final int MAX_FILE_BYTES = 512;

    private static final byte[] MAGIC = {'M', 'E', 'S', 'H', 'K', 'E', 'Y', 0};
    private static final int KDF_ARGON2ID_13 = 1;
    private static final int CIPHER_AES_256_GCM = 1;
    private static final int SALT_LENGTH = 16;
    private static final int MIN_SALT_LENGTH = 16;
    private static final int MAX_SALT_LENGTH = 64;
    private static final int NONCE_LENGTH = 12;
    private static final int KEY_LENGTH = 32;
    private static final int TAG_BITS = 128;
    private static final int CIPHERTEXT_LENGTH = Ed25519PrivateKey.SEED_LENGTH + TAG_BITS / 8;

    /** Argon2id cost parameters. */
    public record Argon2Params(int memoryKiB, int iterations, int parallelism) {

        public static final int MAX_MEMORY_KIB = 1 << 20;
        public static final int MAX_ITERATIONS = 16;
        public static final int MAX_PARALLELISM = 16;

        /** RFC 9106 section 4, second recommended option: 64 MiB, 3 passes, 4 lanes. */
        public static final Argon2Params DEFAULT = new Argon2Params(64 * 1024, 3, 4);

        public Argon2Params {
            String problem = problem(memoryKiB, iterations, parallelism);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }

        static String problem(long memoryKiB, long iterations, long parallelism) {
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                return "Argon2 parallelism must be 1.." + MAX_PARALLELISM + ", got " + parallelism;
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                return "Argon2 iterations must be 1.." + MAX_ITERATIONS + ", got " + iterations;
            }
            if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
                return "Argon2 memory must be " + 8 * parallelism + ".." + MAX_MEMORY_KIB + " KiB, got " + memoryKiB;
            }
            return null;
        }
    }

    /** What a keystore file says about itself without the passphrase. */
    public record Header(int version, Argon2Params params, Ed25519PublicKey publicKey) {
    }

    private record Parsed(Header header, byte[] salt, byte[] nonce, byte[] ciphertext, int associatedDataLength) {
    }

    private Keystore() {
    }

    /** Encrypts {@code key} under {@code passphrase}; the result is the whole keystore file. */
    public static byte[] encrypt(Ed25519PrivateKey key, char[] passphrase, SecureRandom random, Argon2Params params) {
        if (passphrase.length == 0) {
            throw new IllegalArgumentException("the passphrase is empty");
        }
        byte[] salt = new byte[SALT_LENGTH];
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        CanonicalWriter writer = new CanonicalWriter(256)
                .fixed(MAGIC)
                .u16(VERSION)
                .u8(KDF_ARGON2ID_13)
                .u32(params.memoryKiB())
                .u32(params.iterations())
                .u8(params.parallelism())
                .u8(salt.length)
                .fixed(salt)
                .u8(CIPHER_AES_256_GCM)
                .fixed(nonce)
                .fixed(key.publicKey().toByteArray());
        byte[] header = writer.toByteArray();
        byte[] derived = deriveKey(passphrase, salt, params);
        byte[] seed = key.seedCopy();
        try {
            byte[] ciphertext = aesGcm(true, derived, nonce, header, seed, 0, seed.length);
            byte[] file = Arrays.copyOf(header, header.length + ciphertext.length);
            System.arraycopy(ciphertext, 0, file, header.length, ciphertext.length);
            return file;
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption cannot fail authentication", e);
        } finally {
            Arrays.fill(derived, (byte) 0);
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Reads the clear part of a keystore: version, Argon2 parameters, public key. Needs no passphrase. */
    public static Header readHeader(byte[] file) throws KeystoreException {
        return parse(file).header();
    }

    /**
     * Decrypts a keystore. The returned key is the caller's to {@link Ed25519PrivateKey#destroy() destroy}.
     *
     * @throws KeystoreException with kind WRONG_PASSPHRASE_OR_CORRUPT when authentication fails, or the
     *                           kind of the format problem
     */
    public static Ed25519PrivateKey decrypt(byte[] file, char[] passphrase) throws KeystoreException {
        Parsed parsed = parse(file);
        byte[] derived = deriveKey(passphrase, parsed.salt(), parsed.header().params());
        byte[] seed = null;
        try {
            seed = aesGcm(false, derived, parsed.nonce(), Arrays.copyOf(file, parsed.associatedDataLength()),
                    parsed.ciphertext(), 0, parsed.ciphertext().length);
        } catch (InvalidCipherTextException e) {
            throw new KeystoreException(KeystoreException.Kind.WRONG_PASSPHRASE_OR_CORRUPT,
                    "wrong passphrase, or the keystore was altered (authentication failed)");
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
        Ed25519PrivateKey key;
        try {
            key = Ed25519PrivateKey.fromSeed(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
        if (!key.publicKey().equals(parsed.header().publicKey())) {
            key.destroy();
            throw new KeystoreException(KeystoreException.Kind.PUBLIC_KEY_MISMATCH,
                    "the keystore decrypts, but its key is not the public key recorded in it");
        }
        return key;
    }

    private static Parsed parse(byte[] file) throws KeystoreException {
        if (file.length > MAX_FILE_BYTES) {
            throw new KeystoreException(KeystoreException.Kind.MALFORMED,
                    "not a keystore: " + file.length + " bytes, a keystore has at most " + MAX_FILE_BYTES);
        }
        CanonicalReader reader = new CanonicalReader(file);
        try {
            byte[] magic = reader.fixed("magic", MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new KeystoreException(KeystoreException.Kind.MALFORMED, "not a MeshChain keystore (bad magic)");
            }
            int version = reader.u16("version");
            if (version != VERSION) {
                throw new KeystoreException(KeystoreException.Kind.UNSUPPORTED_VERSION,
                        "keystore format version " + version + " is not supported (this build reads version " + VERSION + ")");
            }
            int kdf = reader.u8("kdf");
            if (kdf != KDF_ARGON2ID_13) {
                throw new KeystoreException(KeystoreException.Kind.UNSUPPORTED_VERSION,
                        "unknown key derivation function id " + kdf);
            }
            long memoryKiB = reader.u32("memory");
            long iterations = reader.u32("iterations");
            int parallelism = reader.u8("parallelism");
            String problem = Argon2Params.problem(memoryKiB, iterations, parallelism);
            if (problem != null) {
                throw new KeystoreException(KeystoreException.Kind.UNSAFE_PARAMETERS, problem);
            }
            Argon2Params params = new Argon2Params((int) memoryKiB, (int) iterations, parallelism);
            int saltLength = reader.u8("salt length");
            if (saltLength < MIN_SALT_LENGTH || saltLength > MAX_SALT_LENGTH) {
                throw new KeystoreException(KeystoreException.Kind.MALFORMED,
                        "salt length must be " + MIN_SALT_LENGTH + ".." + MAX_SALT_LENGTH + ", got " + saltLength);
            }
            byte[] salt = reader.fixed("salt", saltLength);
            int cipher = reader.u8("cipher");
            if (cipher != CIPHER_AES_256_GCM) {
                throw new KeystoreException(KeystoreException.Kind.UNSUPPORTED_VERSION, "unknown cipher id " + cipher);
            }
            byte[] nonce = reader.fixed("nonce", NONCE_LENGTH);
            Ed25519PublicKey publicKey = Ed25519PublicKey.of(reader.fixed("public key", Ed25519PublicKey.LENGTH));
            int associatedDataLength = reader.position();
            byte[] ciphertext = reader.fixed("ciphertext", CIPHERTEXT_LENGTH);
            reader.finish("keystore");
            return new Parsed(new Header(version, params, publicKey), salt, nonce, ciphertext, associatedDataLength);
        } catch (DecodeException e) {
            throw new KeystoreException(KeystoreException.Kind.MALFORMED, "malformed keystore: " + e.getMessage(), e);
        }
    }

    private static byte[] deriveKey(char[] passphrase, byte[] salt, Argon2Params params) {
        byte[] password = utf8(passphrase);
        byte[] derived = new byte[KEY_LENGTH];
        Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(params.memoryKiB())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism());
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(builder.build());
            generator.generateBytes(password, derived);
            return derived;
        } finally {
            Arrays.fill(password, (byte) 0);
            builder.clear();
        }
    }

    /** UTF-8 bytes of the passphrase in an array we own and zero; no String is ever made of it. */
    private static byte[] utf8(char[] passphrase) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(passphrase));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the passphrase is not valid Unicode text", e);
        }
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Arrays.fill(encoded.array(), (byte) 0);
        return bytes;
    }

    private static byte[] aesGcm(boolean encrypt, byte[] key, byte[] nonce, byte[] associatedData,
                                 byte[] input, int offset, int length) throws InvalidCipherTextException {
        KeyParameter keyParameter = new KeyParameter(key);
        try {
            GCMModeCipher cipher = GCMBlockCipher.newInstance(AESEngine.newInstance());
            cipher.init(encrypt, new AEADParameters(keyParameter, TAG_BITS, nonce, associatedData));
            byte[] output = new byte[cipher.getOutputSize(length)];
            int written;
            try {
                written = cipher.processBytes(input, offset, length, output, 0);
                written += cipher.doFinal(output, written);
            } catch (InvalidCipherTextException e) {
                // Decryption releases plaintext blocks before the tag is checked: do not leave them behind.
                Arrays.fill(output, (byte) 0);
                throw e;
            }
            if (written != output.length) {
                byte[] exact = Arrays.copyOf(output, written);
                Arrays.fill(output, (byte) 0);
                return exact;
            }
            return output;
        } finally {
            // KeyParameter keeps its own copy of the key; getKey() returns that array, so zero it too.
            Arrays.fill(keyParameter.getKey(), (byte) 0);
        }
    }
}
