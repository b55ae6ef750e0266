package org.meshchain.bridge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.meshchain.bridge.protocol.DeviceFrame;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.port.NodeServices;

/**
 * The stateless checks of one inbound frame, in order: size, decode, kind matches the topic, device
 * registered on chain, frame signature by the registered key, transaction is the device's own. Runs
 * on the bridge's validation threads (CPU and a registry read); the stateful checks (rate, counter)
 * are the actor's. Never throws for bad input.
 */
final class FrameValidator {

    /** The result: a frame that passed, or the code to answer with. */
    sealed interface Result {}

    record Passed(Address device, DeviceFrame frame, long receivedNanos) implements Result {}

    /** {@code registered} tells whether the device is a registered one (only those enter the directory). */
    record Refused(Address device, long counter, ReplyCode code, String detail, boolean registered) implements Result {}

    private final NodeServices services;
    private final int maxFrameBytes;
    private final DomainCodecs codecs;
    /**
     * Device keys already validated, by device: an {@link Ed25519PublicKey} instance caches its decoded,
     * strictly validated curve point, and a key decoded afresh from the registry on every frame would
     * pay that validation (about as much as a signature check) each time. Bounded, least recently used
     * out; one per validation shard, so single-threaded.
     */
    private final Map<Address, Ed25519PublicKey> keys;

    FrameValidator(NodeServices services, int maxFrameBytes, int keyCacheEntries) {
        this.services = services;
        this.maxFrameBytes = maxFrameBytes;
        this.codecs = DomainCodecs.DEFAULT;
        this.keys = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Address, Ed25519PublicKey> eldest) {
                return size() > keyCacheEntries;
            }
        };
    }

    Result check(DeviceTopics.Parsed topic, byte[] payload, long receivedNanos) {
        Address device = topic.device();
        if (payload.length > maxFrameBytes) {
            return new Refused(device, 0, ReplyCode.TOO_LARGE, payload.length + " bytes over " + maxFrameBytes, false);
        }
        DeviceFrame frame;
        try {
            frame = DeviceFrame.decode(payload, maxFrameBytes, codecs);
        } catch (DecodeException e) {
            return new Refused(device, 0, ReplyCode.MALFORMED, e.getMessage(), false);
        }
        long counter = frame.counter();
        boolean kindMatches = switch (topic.channel()) {
            case TX -> frame.body() instanceof DeviceFrame.Transaction;
            case REPORT -> frame.body() instanceof DeviceFrame.Report;
            case PROOF_REQUEST -> frame.body() instanceof DeviceFrame.ProofRequest;
            case STATUS -> false;
        };
        if (!kindMatches) {
            return new Refused(device, counter, ReplyCode.WRONG_TOPIC,
                    "frame kind " + frame.body().kind() + " on " + topic.channel().suffix(), false);
        }
        Optional<DeviceRecord> record;
        try {
            record = registered(device);
        } catch (DecodeException | RuntimeException e) {
            return new Refused(device, counter, ReplyCode.UNAVAILABLE, "registry read failed", false);
        }
        if (record.isEmpty()) {
            return new Refused(device, counter, ReplyCode.UNREGISTERED, "no RegisterDevice for this id", false);
        }
        Ed25519PublicKey key = internedKey(device, record.get().deviceKey());
        if (!frame.verify(services.chainId(), key)) {
            return new Refused(device, counter, ReplyCode.BAD_SIGNATURE, "frame signature is not the device key's", true);
        }
        String notOwn = switch (frame.body()) {
            case DeviceFrame.Transaction t -> ownTransaction(t.transaction(), device);
            case DeviceFrame.Report r -> {
                String base = ownTransaction(r.transaction(), device);
                if (base != null) {
                    yield base;
                }
                if (!(r.transaction().body().payload() instanceof Payload.DeviceReport report)) {
                    yield "a report frame carries a DeviceReport";
                }
                if (!report.device().equals(device) || report.counter() != counter) {
                    yield "report device/counter differ from the frame's";
                }
                yield null;
            }
            case DeviceFrame.ProofRequest p -> null;
        };
        if (notOwn != null) {
            return new Refused(device, counter, ReplyCode.NOT_OWN_TRANSACTION, notOwn, true);
        }
        // the transaction's signer key is the device key (checked above): hand the node the validated
        // instance, so its mempool's signature check does not decode the same point again
        return new Passed(device, withKey(frame, key), receivedNanos);
    }

    private Ed25519PublicKey internedKey(Address device, Ed25519PublicKey registered) {
        Ed25519PublicKey cached = keys.get(device);
        if (cached != null && cached.equals(registered)) {
            return cached;
        }
        keys.put(device, registered); // new device or a re-registered key
        return registered;
    }

    private static DeviceFrame withKey(DeviceFrame frame, Ed25519PublicKey key) {
        return switch (frame.body()) {
            case DeviceFrame.Transaction t -> new DeviceFrame(frame.counter(),
                    new DeviceFrame.Transaction(new SignedTransaction(t.transaction().body(), key, t.transaction().signature())),
                    frame.signature());
            case DeviceFrame.Report r -> new DeviceFrame(frame.counter(),
                    new DeviceFrame.Report(new SignedTransaction(r.transaction().body(), key, r.transaction().signature())),
                    frame.signature());
            case DeviceFrame.ProofRequest p -> frame;
        };
    }

    private String ownTransaction(SignedTransaction tx, Address device) {
        if (!tx.body().sender().equals(device) || !Address.of(tx.signerPublicKey()).equals(device)) {
            return "transaction sender/signer is not the device";
        }
        if (!tx.body().chainId().equals(services.chainId())) {
            return "transaction is for chain " + tx.body().chainId();
        }
        return null;
    }

    /** The device's registry record, if registered and keyed consistently. */
    Optional<DeviceRecord> registered(Address device) throws DecodeException {
        Optional<Bytes> value = services.readState(StatePaths.device(device));
        if (value.isEmpty()) {
            return Optional.empty();
        }
        DeviceRecord record = DeviceRecord.decode(value.get());
        return record.device().equals(device) ? Optional.of(record) : Optional.empty();
    }
}
