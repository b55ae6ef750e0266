package org.meshchain.persistence.chain;

import org.meshchain.core.crypto.Hash32;

/** Why the store refused to commit a block. Nothing was written when one of these is reported. */
public sealed interface StorageError {

    String describe();

    record HeightMismatch(long expected, long actual) implements StorageError {
        public String describe() {
            return "block height " + actual + " is not head + 1 = " + expected;
        }
    }

    record ParentMismatch(Hash32 expectedParent, Hash32 actualParent) implements StorageError {
        public String describe() {
            return "parent id " + actualParent + " is not the head's id " + expectedParent;
        }
    }

    record TxRootMismatch(Hash32 headerTxRoot, Hash32 computedTxRoot) implements StorageError {
        public String describe() {
            return "header tx root " + headerTxRoot + " does not match the transactions (" + computedTxRoot + ")";
        }
    }

    record CertificateMismatch(Hash32 blockId, Hash32 certifiedBlockId, long blockHeight, long certifiedHeight)
            implements StorageError {
        public String describe() {
            return "certificate names block " + certifiedBlockId + " at height " + certifiedHeight
                    + ", not block " + blockId + " at height " + blockHeight;
        }
    }

    /** The state this node computed for the block is not the state the quorum certified. */
    record StateRootMismatch(Hash32 computed, Hash32 certified) implements StorageError {
        public String describe() {
            return "computed state root " + computed + " differs from the certified state root " + certified;
        }
    }

    record ReceiptCountMismatch(int transactions, int receipts) implements StorageError {
        public String describe() {
            return receipts + " receipts for " + transactions + " transactions";
        }
    }

    record BlockTooLarge(int bytes, int limit) implements StorageError {
        public String describe() {
            return "encoded block of " + bytes + " bytes exceeds the limit of " + limit;
        }
    }

    record QuotaExceeded(long usedBytes, long incomingBytes, long quotaBytes) implements StorageError {
        public String describe() {
            return "storage quota reached: " + usedBytes + " bytes used + " + incomingBytes + " incoming > quota "
                    + quotaBytes + " (raise storage.quota-bytes or free space; the node refuses writes until then)";
        }
    }
}
