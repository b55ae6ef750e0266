package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/**
 * What a vote signs (DESIGN 3.4): the block and the state and receipt roots after executing it,
 * so one QC certifies both the ordering and the resulting state.
 */
public record VoteData(Hash32 blockId, long round, long height, Hash32 stateRoot, Hash32 receiptRoot) {

    public VoteData {
        Objects.requireNonNull(blockId, "blockId");
        Objects.requireNonNull(stateRoot, "stateRoot");
        Objects.requireNonNull(receiptRoot, "receiptRoot");
        Payload.requireAmount("round", round);
        Payload.requireAmount("height", height);
    }

    public Hash32 signingHash() {
        return Hashing.tagged("VoteData", DomainCodecs.encode(this));
    }
}
