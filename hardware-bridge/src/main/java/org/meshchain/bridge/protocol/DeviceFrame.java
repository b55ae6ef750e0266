package org.meshchain.bridge.protocol;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.SignedTransaction;

/**
 * A frame a device publishes (docs/DEVICES.md has the byte layout). Canonical encoding:
 * {@code version u8 (=1) || kind uleb128 || counter u64 || body || signature [64]}, where the
 * signature is the device key's Ed25519 signature over
 * {@code H("DeviceFrame", chain_id (string) || device address [32] || every frame byte before the signature)}.
 * Chain id and device are not in the frame (they are in the topic) but are signed, so a frame cannot
 * be moved to another device's topic or another chain.
 */
public record DeviceFrame(long counter, Body body, Ed25519Signature signature) {

    public static final int VERSION = 1;
    public static final int MAX_PROOF_PATHS = 8;

    public DeviceFrame {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(signature, "signature");
        if (counter < 0) {
            throw new IllegalArgumentException("counter must be in 0..2^63-1, got " + counter);
        }
    }

    /** The frame's content; the variant order is the canonical kind tag order (never reorder). */
    public sealed interface Body {
        int kind();
    }

    /** Kind 0: a transaction signed by the device (its sender is the device's address). */
    public record Transaction(SignedTransaction transaction) implements Body {
        public Transaction {
            Objects.requireNonNull(transaction, "transaction");
        }

        @Override
        public int kind() {
            return 0;
        }
    }

    /** Kind 1: a DeviceReport transaction signed by the device, its report counter equal to the frame's. */
    public record Report(SignedTransaction transaction) implements Body {
        public Report {
            Objects.requireNonNull(transaction, "transaction");
        }

        @Override
        public int kind() {
            return 1;
        }
    }

    /** Kind 2: a request for Merkle proofs of 1..8 state paths (the device's account, its UTXOs). */
    public record ProofRequest(List<Hash32> paths) implements Body {
        public ProofRequest {
            paths = List.copyOf(paths);
            if (paths.isEmpty() || paths.size() > MAX_PROOF_PATHS) {
                throw new IllegalArgumentException("a proof request names 1.." + MAX_PROOF_PATHS + " paths, got " + paths.size());
            }
        }

        @Override
        public int kind() {
            return 2;
        }
    }

    /** Builds and signs a frame for {@code device} (the key's address) on {@code chainId}. */
    public static DeviceFrame sign(ChainId chainId, long counter, Body body, Ed25519PrivateKey deviceKey) {
        byte[] unsigned = encodeUnsigned(counter, body);
        Ed25519Signature signature = Ed25519.sign(deviceKey,
                signingHash(chainId, Address.of(deviceKey.publicKey()), unsigned));
        return new DeviceFrame(counter, body, signature);
    }

    /** The digest the device signs. */
    public static Hash32 signingHash(ChainId chainId, Address device, byte[] unsignedFrame) {
        CanonicalWriter w = new CanonicalWriter(unsignedFrame.length + 80);
        w.string(chainId.value());
        w.fixed(device.hash().toByteArray());
        w.fixed(unsignedFrame);
        return Hashing.tagged("DeviceFrame", w.toByteArray());
    }

    public Hash32 signingHash(ChainId chainId, Address device) {
        return signingHash(chainId, device, encodeUnsigned(counter, body));
    }

    public boolean verify(ChainId chainId, Ed25519PublicKey deviceKey) {
        return Ed25519.verify(deviceKey, signingHash(chainId, Address.of(deviceKey)), signature);
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(256);
        writeUnsigned(w, counter, body);
        w.fixed(signature.toByteArray());
        return w.toByteArray();
    }

    static byte[] encodeUnsigned(long counter, Body body) {
        CanonicalWriter w = new CanonicalWriter(256);
        writeUnsigned(w, counter, body);
        return w.toByteArray();
    }

    private static void writeUnsigned(CanonicalWriter w, long counter, Body body) {
        w.u8(VERSION);
        w.tag(body.kind());
        w.u64(counter);
        switch (body) {
            case Transaction t -> DomainCodecs.DEFAULT.signedTransaction().write(w, t.transaction());
            case Report r -> DomainCodecs.DEFAULT.signedTransaction().write(w, r.transaction());
            case ProofRequest p -> w.seq(p.paths(), (ww, path) -> ww.fixed(path.toByteArray()));
        }
    }

    /**
     * Strict decode of untrusted bytes: rejects frames over {@code maxBytes}, unknown versions and
     * kinds, trailing bytes, and anything the core codecs reject.
     */
    public static DeviceFrame decode(byte[] bytes, int maxBytes, DomainCodecs codecs) throws DecodeException {
        if (bytes.length > maxBytes) {
            throw new DecodeException("frame", DecodeException.Kind.LENGTH_OVER_LIMIT,
                    bytes.length + " bytes over limit " + maxBytes);
        }
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("frame.version");
        if (version != VERSION) {
            throw new DecodeException("frame.version", DecodeException.Kind.INVALID_VALUE,
                    "version " + version + ", this bridge speaks " + VERSION);
        }
        int kind = r.tag("frame.kind", 3);
        long counter = r.u63("frame.counter");
        Body body = switch (kind) {
            case 0 -> new Transaction(codecs.signedTransaction().read(r));
            case 1 -> new Report(codecs.signedTransaction().read(r));
            case 2 -> {
                List<Hash32> paths = r.seq("frame.proof_request.paths", MAX_PROOF_PATHS,
                        rr -> Hash32.of(rr.fixed("frame.proof_request.path", Hash32.LENGTH)));
                if (paths.isEmpty()) {
                    throw new DecodeException("frame.proof_request.paths", DecodeException.Kind.INVALID_VALUE,
                            "a proof request names at least one path");
                }
                yield new ProofRequest(paths);
            }
            default -> throw new AssertionError("tag() bounds the kind: " + kind);
        };
        Ed25519Signature signature = Ed25519Signature.of(r.fixed("frame.signature", Ed25519Signature.LENGTH));
        r.finish("frame");
        return new DeviceFrame(counter, body, signature);
    }
}
