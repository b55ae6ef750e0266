package org.meshchain.core.mempool;

import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.ChainId;

/** Why the pool refused a transaction. Each has a stable code for the API and device replies. */
public sealed interface MempoolRejection {

    String code();

    String describe();

    record BadSignature() implements MempoolRejection {
        public String code() {
            return "bad_signature";
        }

        public String describe() {
            return "signature does not verify, or the signer key is not the sender's";
        }
    }

    record WrongChain(ChainId expected, ChainId actual) implements MempoolRejection {
        public String code() {
            return "wrong_chain";
        }

        public String describe() {
            return "transaction is for chain " + actual + ", this node serves " + expected;
        }
    }

    record Expired(long expiryHeight, long currentHeight) implements MempoolRejection {
        public String code() {
            return "expired";
        }

        public String describe() {
            return "expiry height " + expiryHeight + " is not above the current height " + currentHeight;
        }
    }

    record NonceTooLow(long nextNonce, long nonce) implements MempoolRejection {
        public String code() {
            return "nonce_too_low";
        }

        public String describe() {
            return "nonce " + nonce + " was already used; the next nonce is " + nextNonce;
        }
    }

    record NonceTooFarAhead(long nextNonce, long nonce, int maxGap) implements MempoolRejection {
        public String code() {
            return "nonce_too_far_ahead";
        }

        public String describe() {
            return "nonce " + nonce + " is more than " + maxGap + " ahead of the next nonce " + nextNonce;
        }
    }

    record InsufficientBalance(long required, long available) implements MempoolRejection {
        public String code() {
            return "insufficient_balance";
        }

        public String describe() {
            return "pending transactions of this sender need " + required + ", the balance is " + available;
        }
    }

    record Oversize(int bytes, int limit) implements MempoolRejection {
        public String code() {
            return "oversize";
        }

        public String describe() {
            return "transaction of " + bytes + " bytes exceeds " + limit;
        }
    }

    record Duplicate(Hash32 txId) implements MempoolRejection {
        public String code() {
            return "duplicate";
        }

        public String describe() {
            return "transaction " + txId + " is already pending";
        }
    }

    /** Same sender and nonce as a pending transaction, without a higher fee to replace it. */
    record ReplacementUnderpriced(long pendingFee, long offeredFee) implements MempoolRejection {
        public String code() {
            return "replacement_underpriced";
        }

        public String describe() {
            return "a transaction with this nonce is pending with fee " + pendingFee + "; a replacement needs a higher fee than "
                    + offeredFee;
        }
    }

    record Full(int capacity, long lowestFee) implements MempoolRejection {
        public String code() {
            return "full";
        }

        public String describe() {
            return "pool is full (" + capacity + " transactions); a fee above " + lowestFee + " would displace the cheapest";
        }
    }

    /**
     * The node already has its configured maximum of submissions waiting for the mempool; nothing was
     * looked at. Retrying later is safe (the transaction is unknown to the node).
     */
    record Busy(int inFlightLimit) implements MempoolRejection {
        public String code() {
            return "busy";
        }

        public String describe() {
            return "the node is at its submission limit (" + inFlightLimit + " submissions in flight); retry later";
        }
    }
}
