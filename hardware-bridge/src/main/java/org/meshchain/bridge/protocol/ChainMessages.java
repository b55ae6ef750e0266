package org.meshchain.bridge.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.merkle.SmtProof;
import org.meshchain.node.port.CertifiedHeader;

/**
 * Chain → device messages (docs/DEVICES.md): the retained certified header and proof replies. Both
 * are canonical; a device decodes them strictly and verifies them before trusting anything in them.
 */
public final class ChainMessages {

    public static final int VERSION = 1;
    /** Upper bound of one encoded proof reply: a header with two certificates plus 8 full-depth proofs. */
    public static final int MAX_PROOF_REPLY_BYTES = 128 * 1024;
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    private ChainMessages() {}

    /** Header message: {@code version u8 (=1) || BlockHeader || QuorumCertificate (of that header)}. */
    public static byte[] encodeHeader(CertifiedHeader header) {
        CanonicalWriter w = new CanonicalWriter(1024);
        w.u8(VERSION);
        writeCertifiedHeader(w, header);
        return w.toByteArray();
    }

    public static CertifiedHeader decodeHeader(byte[] bytes, DomainCodecs codecs) throws DecodeException {
        if (bytes.length > MAX_HEADER_BYTES) {
            throw new DecodeException("header_message", DecodeException.Kind.LENGTH_OVER_LIMIT, bytes.length + " bytes");
        }
        CanonicalReader r = new CanonicalReader(bytes);
        requireVersion(r, "header_message.version");
        CertifiedHeader header = readCertifiedHeader(r, codecs);
        r.finish("header_message");
        return header;
    }

    /** One proved path: its value at the certified height (absent = not in state) and the proof. */
    public record ProvedValue(Hash32 path, Optional<Bytes> value, SmtProof proof) {
        public ProvedValue {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(proof, "proof");
        }
    }

    /**
     * Proof reply, on {@code dev/{d}/proof}: {@code version u8 (=1) || counter u64 (the request's) ||
     * BlockHeader || QuorumCertificate || seq<path [32] || option<bytes value> || SmtProof>}.
     * Every proof is against the state root in the certificate's vote data.
     */
    public record ProofReply(long counter, CertifiedHeader header, List<ProvedValue> values) {
        public ProofReply {
            Objects.requireNonNull(header, "header");
            values = List.copyOf(values);
        }

        public byte[] encode() {
            CanonicalWriter w = new CanonicalWriter(2048);
            w.u8(VERSION).u64(counter);
            writeCertifiedHeader(w, header);
            w.seq(values, (ww, v) -> {
                ww.fixed(v.path().toByteArray());
                ww.option(v.value().orElse(null), CanonicalWriter::bytes);
                SmtProof.CODEC.write(ww, v.proof());
            });
            return w.toByteArray();
        }

        public static ProofReply decode(byte[] bytes, DomainCodecs codecs) throws DecodeException {
            if (bytes.length > MAX_PROOF_REPLY_BYTES) {
                throw new DecodeException("proof_reply", DecodeException.Kind.LENGTH_OVER_LIMIT, bytes.length + " bytes");
            }
            CanonicalReader r = new CanonicalReader(bytes);
            requireVersion(r, "proof_reply.version");
            long counter = r.u63("proof_reply.counter");
            CertifiedHeader header = readCertifiedHeader(r, codecs);
            List<ProvedValue> values = r.seq("proof_reply.values", DeviceFrame.MAX_PROOF_PATHS, rr -> {
                Hash32 path = Hash32.of(rr.fixed("proof_reply.path", Hash32.LENGTH));
                Bytes value = rr.option("proof_reply.value", rrr -> rrr.bytes("proof_reply.value", 64 * 1024));
                SmtProof proof = SmtProof.CODEC.read(rr);
                return new ProvedValue(path, Optional.ofNullable(value), proof);
            });
            r.finish("proof_reply");
            return new ProofReply(counter, header, values);
        }
    }

    private static void requireVersion(CanonicalReader r, String field) throws DecodeException {
        int version = r.u8(field);
        if (version != VERSION) {
            throw new DecodeException(field, DecodeException.Kind.INVALID_VALUE, "version " + version);
        }
    }

    private static void writeCertifiedHeader(CanonicalWriter w, CertifiedHeader header) {
        DomainCodecs.DEFAULT.blockHeader().write(w, header.header());
        DomainCodecs.DEFAULT.quorumCertificate().write(w, header.certificate());
    }

    private static CertifiedHeader readCertifiedHeader(CanonicalReader r, DomainCodecs codecs) throws DecodeException {
        BlockHeader header = codecs.blockHeader().read(r);
        QuorumCertificate qc = codecs.quorumCertificate().read(r);
        if (!qc.voteData().blockId().equals(header.id())) {
            throw new DecodeException("certificate", DecodeException.Kind.INVALID_VALUE,
                    "certificate is not for this header");
        }
        return new CertifiedHeader(header, qc);
    }
}
