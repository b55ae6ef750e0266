package org.meshchain.core.consensus;

import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;

/**
 * Read-only port onto the shell's chain store: the blocks this node has committed (those it
 * received as {@link ConsensusAction.CommitBlock}, applied in order). Used at start-up (committed
 * head, leader-reputation history) and to answer sync requests.
 */
public interface CommittedBlocks {

    /** Height of the committed head; 0 when only genesis is committed. */
    long height();

    /** The committed block at {@code height} (1..height()), or null if not held. */
    Block blockAt(long height);

    /** The QC certifying the committed block at {@code height} (the genesis QC for 0), or null. */
    QuorumCertificate certificateAt(long height);
}
