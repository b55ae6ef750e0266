package org.meshchain.node.wire;

import java.util.Objects;
import org.meshchain.core.codec.Bytes;
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

/**
 * The one message validators exchange over the cluster: a payload of one {@link WireCodec.Kind}, signed
 * by the sending validator's key over (chain, from, to, kind, payload hash). Cluster membership is not
 * trusted for safety: the receiver checks the signature against the validator set before anything
 * else looks at the payload. Its bytes are its wire format (see {@link MeshchainSerializer}).
 */
public record PeerEnvelope(Address from, Address to, int kind, Bytes payload, Ed25519Signature signature)
        implements org.meshchain.node.peers.PeerManager.Command {

    public PeerEnvelope {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(signature, "signature");
    }

    public static PeerEnvelope sign(ChainId chainId, Ed25519PrivateKey key, Address to, WireCodec.Kind kind, byte[] payload) {
        Address from = Address.of(key.publicKey());
        Ed25519Signature signature = Ed25519.sign(key, signingHash(chainId, from, to, kind.ordinal(), payload));
        return new PeerEnvelope(from, to, kind.ordinal(), Bytes.of(payload), signature);
    }

    public boolean verify(ChainId chainId, Ed25519PublicKey senderKey) {
        return Ed25519.verify(senderKey, signingHash(chainId, from, to, kind, payload.toByteArray()), signature);
    }

    /** Size on the wire (what the max message size applies to). */
    public int wireSize() {
        return 32 + 32 + 1 + 5 + payload.length() + 64;
    }

    static Hash32 signingHash(ChainId chainId, Address from, Address to, int kind, byte[] payload) {
        CanonicalWriter w = new CanonicalWriter(128);
        w.string(chainId.value());
        w.fixed(from.hash().toByteArray()).fixed(to.hash().toByteArray()).u8(kind);
        w.fixed(Hashing.sha256(payload).toByteArray());
        return Hashing.tagged("PeerEnvelope", w.toByteArray());
    }

    public byte[] toBytes() {
        CanonicalWriter w = new CanonicalWriter(payload.length() + 160);
        w.fixed(from.hash().toByteArray()).fixed(to.hash().toByteArray()).u8(kind).bytes(payload)
                .fixed(signature.toByteArray());
        return w.toByteArray();
    }

    public static PeerEnvelope fromBytes(byte[] bytes, int maxPayloadBytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        Address from = new Address(Hash32.of(r.fixed("from", 32)));
        Address to = new Address(Hash32.of(r.fixed("to", 32)));
        int kind = r.u8("kind");
        Bytes payload = r.bytes("payload", maxPayloadBytes);
        Ed25519Signature signature = Ed25519Signature.of(r.fixed("signature", 64));
        r.finish("envelope");
        return new PeerEnvelope(from, to, kind, payload, signature);
    }
}
