package org.meshchain.core.consensus;

/** What a peer did wrong; reported through {@link ConsensusAction.ReportMisbehaviour} for peer scoring (DESIGN 5.3). */
public enum Misbehaviour {
    /** A signature that does not verify under the claimed validator's key. */
    INVALID_SIGNATURE,
    /** A signer or sender that is not in the validator set. */
    UNKNOWN_VALIDATOR,
    /** A message for another chain. */
    WRONG_CHAIN,
    /** A QC with too few, unknown or invalid signatures, or a forged genesis QC. */
    INVALID_QUORUM_CERTIFICATE,
    /** A TC with too few, unknown or invalid signatures, or an inconsistent high QC. */
    INVALID_TIMEOUT_CERTIFICATE,
    /** A proposal from a validator that is not the round's leader, or that it did not author. */
    NOT_LEADER,
    /** Two different proposals for one round from one leader. */
    EQUIVOCATION,
    /** A round that contradicts the certificates carried (e.g. not after its QC, missing TC). */
    INVALID_ROUND,
    /** A height that is not parent height + 1, or a parent that is not the justified block. */
    INVALID_HEIGHT,
    /** A message larger than the limits (transactions, bytes, signatures, sync batch). */
    OVERSIZED,
    /** A header whose tx root does not match the transactions carried. */
    INVALID_TX_ROOT,
    /** A timestamp before the parent's or too far in the future. */
    INVALID_TIMESTAMP,
    /** A message signed by a validator other than the one that sent it, where the sender must be the signer. */
    SENDER_MISMATCH,
    /** A sync response that is not a hash-linked chain certified by a valid QC. */
    INVALID_SYNC_RESPONSE
}
