package org.meshchain.bridge.protocol;

import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;

/**
 * The bridge's answer to one frame, on {@code dev/{d}/reply}. Canonical encoding:
 * {@code version u8 (=1) || counter u64 || code u8 || tx_id option<[32]> || detail string (<= 96 bytes)}.
 * {@code counter} is the frame's counter (0 when the frame could not be decoded).
 */
public record BridgeReply(long counter, ReplyCode code, Optional<Hash32> transactionId, String detail) {

    public static final int VERSION = 1;
    public static final int MAX_DETAIL_BYTES = 96;

    public BridgeReply {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(detail, "detail");
        detail = truncate(detail);
    }

    public static BridgeReply of(long counter, ReplyCode code, String detail) {
        return new BridgeReply(counter, code, Optional.empty(), detail);
    }

    private static String truncate(String detail) {
        String ascii = detail.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() <= MAX_DETAIL_BYTES ? ascii : ascii.substring(0, MAX_DETAIL_BYTES);
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(64 + detail.length());
        w.u8(VERSION).u64(counter).u8(code.wire());
        w.option(transactionId.orElse(null), (ww, id) -> ww.fixed(id.toByteArray()));
        w.string(detail);
        return w.toByteArray();
    }

    public static BridgeReply decode(byte[] bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("reply.version");
        if (version != VERSION) {
            throw new DecodeException("reply.version", DecodeException.Kind.INVALID_VALUE, "version " + version);
        }
        long counter = r.u63("reply.counter");
        int wire = r.u8("reply.code");
        ReplyCode code = ReplyCode.fromWire(wire).orElseThrow(
                () -> new DecodeException("reply.code", DecodeException.Kind.BAD_TAG, "code " + wire));
        Hash32 txId = r.option("reply.tx_id", rr -> Hash32.of(rr.fixed("reply.tx_id", Hash32.LENGTH)));
        String detail = r.string("reply.detail", MAX_DETAIL_BYTES);
        r.finish("reply");
        return new BridgeReply(counter, code, Optional.ofNullable(txId), detail);
    }
}
