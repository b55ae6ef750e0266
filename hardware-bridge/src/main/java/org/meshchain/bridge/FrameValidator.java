package org.meshchain.bridge;

import java.util.Optional;
import org.meshchain.bridge.protocol.DeviceFrame;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
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

    FrameValidator(NodeServices services, int maxFrameBytes) {
        this.services = services;
        this.maxFrameBytes = maxFrameBytes;
        this.codecs = DomainCodecs.DEFAULT;
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
        if (!frame.verify(services.chainId(), record.get().deviceKey())) {
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
        return new Passed(device, frame, receivedNanos);
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
