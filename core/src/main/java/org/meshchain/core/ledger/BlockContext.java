package org.meshchain.core.ledger;

import java.util.Objects;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.BlockHeader;

/** What the ledger takes from the block header: height (expiry checks, host API), time, fee recipient. */
public record BlockContext(long height, long timestampMillis, Address proposer) {

    public BlockContext {
        Objects.requireNonNull(proposer, "proposer");
        if (height < 0 || timestampMillis < 0) {
            throw new IllegalArgumentException("block height and timestamp must be non-negative");
        }
    }

    public static BlockContext of(BlockHeader header) {
        return new BlockContext(header.height(), header.timestampMs(), header.proposer());
    }
}
