package org.meshchain.node.execution;

import org.meshchain.core.ledger.StateReader;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.SmtNode;

/**
 * Read-only port over the committed state: what the executor needs from storage. {@link #open()} gives a
 * consistent snapshot (one head) that may be read from any thread while the store keeps committing.
 * {@link ChainStoreCommittedState} implements it over persistence's chain store.
 */
public interface CommittedState {

    Snapshot open();

    /** One committed head: its flat values ({@link StateReader}) and its state tree (root and nodes). */
    interface Snapshot extends StateReader, AutoCloseable {

        /** Height of the committed head, or -1 when no block is committed. */
        long headHeight();

        /** The tree version of this head: {@code headHeight() + 1} (version 0 is the empty tree). */
        default long stateVersion() {
            return headHeight() + 1;
        }

        /** Root node key of {@link #stateVersion()} ({@link NodeKey#EMPTY} for the empty tree). */
        NodeKey root();

        /** The committed tree node under {@code key}; throws if it is missing (corruption). */
        SmtNode node(NodeKey key);

        @Override
        void close();
    }
}
