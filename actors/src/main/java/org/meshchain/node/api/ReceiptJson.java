package org.meshchain.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.meshchain.core.codec.Bytes;

/** A transaction receipt as JSON: its canonical bytes in hex. */
final class ReceiptJson {

    private ReceiptJson() {
    }

    static ObjectNode render(Bytes canonical) {
        ObjectNode out = StrictJson.object();
        out.put("hex", canonical.toHex());
        return out;
    }
}
