package org.meshchain.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 and the domain-separated hash of DESIGN 3.2:
 * {@code H(tag, bytes) = SHA-256(SHA-256("MESHCHAIN::" + tag) || bytes)}.
 * The tag prefix digest is computed once per tag and cached.
 */
public final class Hashing {

    private static final String DOMAIN_PREFIX = "MESHCHAIN::";
    /** Bounded: tags are compile-time type names, a few dozen at most. */
    private static final int MAX_TAGS = 256;
    private static final ConcurrentHashMap<String, byte[]> TAG_PREFIXES = new ConcurrentHashMap<>();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashing::newSha256);

    private Hashing() {
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** Plain SHA-256 (used where an external format fixes the hashing, e.g. the ICS-23 SMT). */
    public static Hash32 sha256(byte[] data) {
        MessageDigest md = SHA256.get();
        return Hash32.wrapDigest(md.digest(data));
    }

    public static Hash32 sha256(byte[] data, int offset, int length) {
        MessageDigest md = SHA256.get();
        md.update(data, offset, length);
        return Hash32.wrapDigest(md.digest());
    }

    /**
     * The calling thread's reusable SHA-256 instance, reset; for callers that hash several parts.
     * It is shared with every other user on this thread, so each hash must be completed (digest)
     * before another starts, and it must never be handed to another thread.
     */
    public static MessageDigest sha256Digest() {
        MessageDigest md = SHA256.get();
        md.reset();
        return md;
    }

    /** The 32-byte domain prefix {@code SHA-256("MESHCHAIN::" + tag)}. */
    public static byte[] tagPrefix(String tag) {
        byte[] prefix = TAG_PREFIXES.get(tag);
        if (prefix == null) {
            if (TAG_PREFIXES.size() >= MAX_TAGS) {
                throw new IllegalStateException("more than " + MAX_TAGS + " hash tags: tags must be type names");
            }
            prefix = newSha256().digest((DOMAIN_PREFIX + tag).getBytes(StandardCharsets.UTF_8));
            TAG_PREFIXES.putIfAbsent(tag, prefix);
        }
        return prefix;
    }

    /** Domain-separated hash of {@code data} under {@code tag} (a type name such as "BlockHeader"). */
    public static Hash32 tagged(String tag, byte[] data) {
        MessageDigest md = SHA256.get();
        md.update(tagPrefix(tag));
        md.update(data);
        return Hash32.wrapDigest(md.digest());
    }
}
