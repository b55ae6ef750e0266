package org.meshchain.node.port;

import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.mempool.MempoolRejection;

/** The mempool's answer to a submitted transaction. */
public sealed interface SubmitOutcome {

    Hash32 transactionId();

    record Accepted(Hash32 transactionId) implements SubmitOutcome {}

    record Rejected(Hash32 transactionId, MempoolRejection reason) implements SubmitOutcome {}
}
