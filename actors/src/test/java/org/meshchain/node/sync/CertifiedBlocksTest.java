package org.meshchain.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.VoteData;

/** The checks bulk sync applies to served blocks, on hand-built certified chains of 4 validators. */
class CertifiedBlocksTest {

    private static final ChainId CHAIN = new ChainId("sync-test");
    private final List<Ed25519PrivateKey> keys = new ArrayList<>();
    private final ValidatorSet validators;
    private final CertifiedBlocks checks;
    private final QuorumCertificate genesisQc = new QuorumCertificate(new VoteData(Hashing.sha256(new byte[] {0}), 0, 0,
            Hash32.ZERO, Hash32.ZERO), List.of());

    CertifiedBlocksTest() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 4; i++) {
            keys.add(Ed25519PrivateKey.generate(random));
        }
        validators = new ValidatorSet(keys.stream().map(Ed25519PrivateKey::publicKey).toList());
        checks = new CertifiedBlocks(CHAIN, validators);
    }

    private QuorumCertificate certify(VoteData data, int signers) {
        List<ValidatorSignature> signatures = new ArrayList<>();
        for (int i = 0; i < signers; i++) {
            signatures.add(new ValidatorSignature(Address.of(keys.get(i).publicKey()), Ed25519.sign(keys.get(i), data.signingHash())));
        }
        signatures.sort(null);
        return new QuorumCertificate(data, signatures);
    }

    /** A certified chain from height 1, with the given rounds. */
    private List<BulkSyncMessage.CertifiedBlock> chain(long... rounds) {
        List<BulkSyncMessage.CertifiedBlock> out = new ArrayList<>();
        QuorumCertificate justify = genesisQc;
        Hash32 parent = genesisQc.voteData().blockId();
        for (int i = 0; i < rounds.length; i++) {
            Block block = new Block(new BlockHeader(CHAIN, i + 1, rounds[i], parent, 1_000 + i, Address.of(keys.get(0).publicKey()),
                    TxRoot.of(List.of()), justify, null), List.of());
            QuorumCertificate qc = certify(new VoteData(block.id(), rounds[i], i + 1, Hash32.ZERO, Hash32.ZERO), 3);
            out.add(new BulkSyncMessage.CertifiedBlock(block, qc));
            justify = qc;
            parent = block.id();
        }
        return out;
    }

    @Test
    void aLinkedChainWithQuorumCertificatesPasses() {
        assertThat(checks.check(1, 10, chain(1, 2, 3))).isNull();
    }

    @Test
    void aCertificateWithAForgedOrMissingSignatureIsRejected() {
        List<BulkSyncMessage.CertifiedBlock> blocks = chain(1, 2, 3);
        QuorumCertificate qc = blocks.get(1).certificate();
        List<ValidatorSignature> signatures = new ArrayList<>(qc.signatures());
        signatures.set(0, new ValidatorSignature(signatures.get(0).validator(),
                Ed25519.sign(keys.get(0), Hashing.sha256(new byte[] {1}))));
        blocks.set(1, new BulkSyncMessage.CertifiedBlock(blocks.get(1).block(), new QuorumCertificate(qc.voteData(), signatures)));
        assertThat(checks.check(1, 10, blocks).reason()).isEqualTo("invalid_certificate");
        assertThat(checks.check(1, 10, blocks).penalty()).isEqualTo("invalid-signature");

        List<BulkSyncMessage.CertifiedBlock> weak = chain(1, 2);
        weak.set(0, new BulkSyncMessage.CertifiedBlock(weak.get(0).block(), certify(weak.get(0).certificate().voteData(), 2)));
        assertThat(checks.check(1, 10, weak).reason()).as("2 of 4 is below 2f+1").isEqualTo("invalid_certificate");
    }

    @Test
    void wrongHeightsLinksCertificatesAndSizesAreRejected() {
        assertThat(checks.check(2, 10, chain(1, 2)).reason()).isEqualTo("wrong_height");
        List<BulkSyncMessage.CertifiedBlock> swapped = chain(1, 2, 3);
        swapped.set(1, new BulkSyncMessage.CertifiedBlock(swapped.get(1).block(), swapped.get(2).certificate()));
        assertThat(checks.check(1, 10, swapped).reason()).isIn("wrong_height", "certificate_mismatch");
        List<BulkSyncMessage.CertifiedBlock> unlinked = chain(1, 2, 3);
        List<BulkSyncMessage.CertifiedBlock> other = chain(5, 6, 7);
        unlinked.set(2, other.get(2));
        assertThat(checks.check(1, 10, unlinked).reason()).isEqualTo("broken_link");
        assertThat(checks.check(1, 2, chain(1, 2, 3)).reason()).isEqualTo("oversized");
    }

    @Test
    void onlyAChildInTheNextRoundProvesCommit() {
        List<BulkSyncMessage.CertifiedBlock> blocks = chain(1, 2, 4);
        assertThat(CertifiedBlocks.provesCommit(blocks.get(0).block(), blocks.get(1).block())).isTrue();
        assertThat(CertifiedBlocks.provesCommit(blocks.get(1).block(), blocks.get(2).block())).as("round gap").isFalse();
        assertThat(CertifiedBlocks.provesCommit(blocks.get(0).block(), blocks.get(2).block())).as("not its child").isFalse();
    }
}
