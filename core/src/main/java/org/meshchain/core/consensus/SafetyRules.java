package org.meshchain.core.consensus;

import java.util.Optional;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

/**
 * The only component that holds the validator key and decides whether signing is safe (DESIGN 5.2).
 * The core verifies certificates before calling it; after every call it compares {@link #state()}
 * with the previous one and, if it changed, emits {@link ConsensusAction.PersistSafetyState}
 * before the signed message. Implementations must be deterministic.
 */
public interface SafetyRules {

    /** The signer's address. */
    Address validator();

    /** Current state (what must be persisted). */
    SafetyState state();

    /**
     * Sign a vote for {@code block} with post-execution {@code data}, or refuse. The block's
     * justify QC and optional TC have been verified.
     */
    Optional<Vote> signVote(Block block, VoteData data);

    /**
     * Sign a timeout for {@code round} carrying {@code highQc}, or refuse. Re-signing the same round
     * returns the timeout already signed.
     */
    Optional<Timeout> signTimeout(long round, QuorumCertificate highQc, TimeoutCertificate lastRoundTc);
}
