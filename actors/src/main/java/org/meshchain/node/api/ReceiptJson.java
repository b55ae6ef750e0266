package org.meshchain.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.ledger.LedgerEvent;
import org.meshchain.core.ledger.Receipt;

/**
 * A transaction receipt as JSON: its canonical bytes ({@code hex}, what the receipt root commits to)
 * and the decoded fields of core's {@link Receipt}. A stored receipt that does not decode is shown
 * with {@code decodeError} instead of failing the request.
 */
final class ReceiptJson {

    private ReceiptJson() {
    }

    static ObjectNode render(Bytes canonical) {
        ObjectNode out = StrictJson.object();
        out.put("hex", canonical.toHex());
        Receipt receipt;
        try {
            receipt = Receipt.decode(canonical);
        } catch (DecodeException e) {
            out.put("decodeError", e.getMessage());
            return out;
        }
        out.put("status", receipt.status().name().toLowerCase(java.util.Locale.ROOT));
        if (receipt.succeeded()) {
            out.putNull("errorCode");
            out.putNull("errorDetail");
        } else {
            out.put("errorCode", receipt.errorCode());
            out.put("errorDetail", receipt.errorDetail());
        }
        out.put("feeCharged", receipt.feeCharged());
        out.put("gasUsed", receipt.gasUsed());
        out.put("output", receipt.output().toHex());
        ArrayNode events = out.putArray("events");
        for (LedgerEvent event : receipt.events()) {
            events.addObject().put("source", event.source().toHex()).put("topic", event.topic().toHex())
                    .put("data", event.data().toHex());
        }
        return out;
    }
}
