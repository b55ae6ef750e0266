package org.meshchain.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.VoteData;
import org.meshchain.merkle.SmtProof;
import org.meshchain.node.port.CertifiedHeader;

/** JSON views of chain objects (blocks, headers, certificates, receipts, proofs); shapes are in docs/API.md. */
final class ChainJson {

    private ChainJson() {
    }

    static ObjectNode header(BlockHeader h) {
        ObjectNode out = StrictJson.object();
        out.put("id", h.id().toHex());
        out.put("chainId", h.chainId().value());
        out.put("height", h.height());
        out.put("round", h.round());
        out.put("parentId", h.parentId().toHex());
        out.put("timestampMs", h.timestampMs());
        out.put("proposer", h.proposer().toHex());
        out.put("txRoot", h.txRoot().toHex());
        out.set("justify", certificate(h.justify()));
        if (h.timeoutCertificate() == null) {
            out.putNull("timeoutCertificate");
        } else {
            out.set("timeoutCertificate", timeoutCertificate(h.timeoutCertificate()));
        }
        return out;
    }

    static ObjectNode certificate(QuorumCertificate qc) {
        ObjectNode out = StrictJson.object();
        out.set("voteData", voteData(qc.voteData()));
        ArrayNode signatures = out.putArray("signatures");
        qc.signatures().forEach(s -> signatures.addObject().put("validator", s.validator().toHex())
                .put("signature", TransactionJson.hex(s.signature().toByteArray())));
        return out;
    }

    static ObjectNode voteData(VoteData v) {
        ObjectNode out = StrictJson.object();
        out.put("blockId", v.blockId().toHex());
        out.put("round", v.round());
        out.put("height", v.height());
        out.put("stateRoot", v.stateRoot().toHex());
        out.put("receiptRoot", v.receiptRoot().toHex());
        return out;
    }

    static ObjectNode timeoutCertificate(TimeoutCertificate tc) {
        ObjectNode out = StrictJson.object();
        out.put("round", tc.round());
        out.set("highQc", certificate(tc.highQc()));
        ArrayNode signatures = out.putArray("signatures");
        tc.signatures().forEach(s -> signatures.addObject().put("validator", s.validator().toHex())
                .put("highQcRound", s.highQcRound()).put("signature", TransactionJson.hex(s.signature().toByteArray())));
        return out;
    }

    /** A block with its certificate (if stored) and transaction summaries (full transactions via /v1/transactions). */
    static ObjectNode block(Block block, Optional<QuorumCertificate> certificate) {
        ObjectNode out = StrictJson.object();
        out.set("header", header(block.header()));
        if (certificate.isPresent()) {
            out.set("certificate", certificate(certificate.get()));
        } else {
            out.putNull("certificate");
        }
        out.put("transactionCount", block.transactions().size());
        ArrayNode txs = out.putArray("transactions");
        for (SignedTransaction tx : block.transactions()) {
            txs.add(transactionSummary(tx));
        }
        return out;
    }

    static ObjectNode transactionSummary(SignedTransaction tx) {
        ObjectNode out = StrictJson.object();
        out.put("hash", tx.id().toHex());
        out.put("sender", tx.body().sender().toHex());
        out.put("nonce", tx.body().nonce());
        out.put("fee", tx.body().fee());
        out.put("type", TransactionJson.payloadType(tx.body().payload()));
        return out;
    }

    /** The receipt in its canonical bytes (decoded fields are added by {@link ReceiptJson}). */
    static ObjectNode receipt(Bytes canonical) {
        return ReceiptJson.render(canonical);
    }

    static ObjectNode certifiedHeader(CertifiedHeader certified) {
        ObjectNode out = StrictJson.object();
        out.set("header", header(certified.header()));
        out.set("certificate", certificate(certified.certificate()));
        return out;
    }

    static ObjectNode proof(SmtProof proof) {
        ObjectNode out = StrictJson.object();
        ArrayNode siblings = out.putArray("siblings");
        for (Hash32 sibling : proof.siblings()) {
            siblings.add(sibling.toHex());
        }
        if (proof.otherLeaf() == null) {
            out.putNull("otherLeaf");
        } else {
            out.putObject("otherLeaf").put("path", proof.otherLeaf().path().toHex())
                    .put("valueHash", proof.otherLeaf().valueHash().toHex());
        }
        out.put("encoded", TransactionJson.hex(proof.encode()));
        return out;
    }

    static ArrayNode hashes(List<Hash32> hashes) {
        ArrayNode out = StrictJson.MAPPER.createArrayNode();
        hashes.forEach(h -> out.add(h.toHex()));
        return out;
    }
}
