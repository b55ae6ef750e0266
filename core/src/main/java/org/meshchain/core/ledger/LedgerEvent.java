package org.meshchain.core.ledger;

import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;

/** An event in a receipt: emitted by a contract ({@code emit_event}) or by the ledger (device reports). */
public record LedgerEvent(Address source, Bytes topic, Bytes data) {

    public LedgerEvent {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(data, "data");
    }
}
