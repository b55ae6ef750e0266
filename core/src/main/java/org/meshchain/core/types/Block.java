package org.meshchain.core.types;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.crypto.Hash32;

/** A header and its ordered transactions; the header's tx root commits to the transaction ids. */
public record Block(BlockHeader header, List<SignedTransaction> transactions) {

    public Block {
        Objects.requireNonNull(header, "header");
        transactions = List.copyOf(transactions);
    }

    public Hash32 id() {
        return header.id();
    }

    /** True if the header's tx root matches the transactions carried. */
    public boolean txRootMatches() {
        return TxRoot.of(transactions).equals(header.txRoot());
    }
}
