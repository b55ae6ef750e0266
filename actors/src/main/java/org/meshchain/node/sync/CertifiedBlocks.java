package org.meshchain.node.sync;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.VoteData;

/**
 * The checks bulk sync applies to what a peer serves, before anything is executed (ADR 0040). Pure:
 * no actor, no I/O, so the rules are tested on their own.
 */
public final class CertifiedBlocks {

    /** Why a served batch was refused; {@link #penalty} is the key of {@code peers.penalty} charged to the peer. */
    public record Problem(String reason, String penalty, String detail) {}

    private final ChainId chainId;
    private final ValidatorSet validators;

    public CertifiedBlocks(ChainId chainId, ValidatorSet validators) {
        this.chainId = chainId;
        this.validators = validators;
    }

    /**
     * True if {@code qc} carries between a quorum (2f+1) and n signatures of distinct validators over its
     * vote data, all valid. The genesis certificate (height 0) is never accepted from a peer.
     */
    public boolean verifyCertificate(QuorumCertificate qc) {
        VoteData data = qc.voteData();
        int count = qc.signatures().size();
        if (data.height() == 0 || count < validators.quorum() || count > validators.size()) {
            return false;
        }
        Hash32 message = data.signingHash();
        Set<Object> signers = new HashSet<>();
        for (ValidatorSignature s : qc.signatures()) {
            Ed25519PublicKey key = validators.key(s.validator());
            if (key == null || !signers.add(s.validator()) || !Ed25519.verify(key, message, s.signature())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a response to a request for blocks from {@code fromHeight} on: consecutive heights from
     * there, each block's id is its header hash and is what its certificate names (height and round
     * too), the certificate has 2f+1 valid signatures, the tx root matches the transactions, the chain
     * id is ours, and each block's parent is the block before it. Returns null when all hold.
     */
    public Problem check(long fromHeight, int maxBlocks, List<BulkSyncMessage.CertifiedBlock> blocks) {
        if (blocks.size() > maxBlocks) {
            return new Problem("oversized", "oversized", blocks.size() + " blocks for a request of " + maxBlocks);
        }
        Hash32 previous = null;
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i).block();
            QuorumCertificate qc = blocks.get(i).certificate();
            long height = fromHeight + i;
            Hash32 id = block.id();
            if (!block.header().chainId().equals(chainId)) {
                return new Problem("wrong_chain", "protocol", "block at " + height + " is for chain " + block.header().chainId());
            }
            if (block.header().height() != height || qc.voteData().height() != height) {
                return new Problem("wrong_height", "protocol", "expected height " + height + ", got block "
                        + block.header().height() + " / certificate " + qc.voteData().height());
            }
            if (!qc.voteData().blockId().equals(id) || qc.voteData().round() != block.header().round()) {
                return new Problem("certificate_mismatch", "protocol", "the certificate at " + height + " names block "
                        + qc.voteData().blockId() + " round " + qc.voteData().round() + ", the block is " + id);
            }
            if (previous != null && !block.header().parentId().equals(previous)) {
                return new Problem("broken_link", "protocol", "block at " + height + " does not extend the block before it");
            }
            if (!block.txRootMatches()) {
                return new Problem("tx_root", "protocol", "tx root mismatch at " + height);
            }
            if (!verifyCertificate(qc)) {
                return new Problem("invalid_certificate", "invalid-signature", "certificate at " + height
                        + " lacks 2f+1 valid signatures");
            }
            previous = id;
        }
        return null;
    }

    /**
     * Whether {@code child} proves {@code parent} committed by the 2-chain rule (ADR 0003): the child is
     * certified, extends the parent, and its round directly follows the parent's. A certified block
     * without such a child may still be abandoned, so bulk sync never commits it.
     */
    public static boolean provesCommit(Block parent, Block child) {
        return child.header().parentId().equals(parent.id()) && child.header().round() == parent.header().round() + 1;
    }
}
