package org.meshchain.core.crypto;

/** A keystore file could not be opened; {@link #kind()} says why, the message says it for an operator. */
public final class KeystoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Authentication failed: the passphrase is wrong, or the file was altered. AES-GCM cannot tell which. */
        WRONG_PASSPHRASE_OR_CORRUPT,
        /** Not a keystore, truncated, trailing bytes, or a field out of its allowed range. */
        MALFORMED,
        /** A keystore of a format version (or algorithm) this build does not know. */
        UNSUPPORTED_VERSION,
        /** Argon2 parameters beyond the bounds this build accepts (a hostile file must not exhaust memory). */
        UNSAFE_PARAMETERS,
        /** The file decrypts, but the key inside is not the public key written next to it. */
        PUBLIC_KEY_MISMATCH
    }

    private final Kind kind;

    public KeystoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KeystoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
