package org.meshchain.node.wire;

import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.SafetyState;

/**
 * Pekko serializer for the node's only remote message ({@link PeerEnvelope}), its journal event
 * ({@link SafetyStateRecorded}) and snapshot ({@link SafetyState}): canonical bytes, no Java
 * serialization. Bound in meshchain-pekko.conf.
 */
public final class MeshchainSerializer extends SerializerWithStringManifest {

    /** Largest payload accepted off the wire; larger frames are refused by Artery before this. */
    public static final int MAX_PAYLOAD_BYTES = 16 << 20;
    private static final String ENVELOPE = "E";
    private static final String SAFETY = "S";
    private static final String SAFETY_SNAPSHOT = "T";

    public MeshchainSerializer(ExtendedActorSystem system) {
    }

    @Override
    public int identifier() {
        return 731_004_021;
    }

    @Override
    public String manifest(Object o) {
        return switch (o) {
            case PeerEnvelope e -> ENVELOPE;
            case SafetyStateRecorded s -> SAFETY;
            case SafetyState s -> SAFETY_SNAPSHOT;
            default -> throw new IllegalArgumentException("not a MeshChain wire type: " + o.getClass().getName());
        };
    }

    @Override
    public byte[] toBinary(Object o) {
        return switch (o) {
            case PeerEnvelope e -> e.toBytes();
            case SafetyStateRecorded s -> WireCodec.encodeSafetyState(s.state());
            case SafetyState s -> WireCodec.encodeSafetyState(s);
            default -> throw new IllegalArgumentException("not a MeshChain wire type: " + o.getClass().getName());
        };
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try {
            return switch (manifest) {
                case ENVELOPE -> PeerEnvelope.fromBytes(bytes, MAX_PAYLOAD_BYTES);
                case SAFETY -> new SafetyStateRecorded(WireCodec.decodeSafetyState(bytes));
                case SAFETY_SNAPSHOT -> WireCodec.decodeSafetyState(bytes);
                default -> throw new NotSerializableException("unknown manifest " + manifest);
            };
        } catch (DecodeException | RuntimeException e) {
            throw new NotSerializableException("bad " + manifest + " bytes: " + e.getMessage());
        }
    }
}
