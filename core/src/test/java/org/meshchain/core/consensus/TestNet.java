package org.meshchain.core.consensus;

import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.TimeoutCertificate;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

/** Fixtures for unit tests of the core: four validators, genesis, signed certificates. */
final class TestNet {

    static final ChainId CHAIN = new ChainId("unit-chain");
    static final Hash32 GENESIS = Hashing.tagged("UnitGenesis", new byte[] {1});
    static final Hash32 GENESIS_STATE = Hashing.tagged("UnitGenesisState", new byte[] {1});
    static final List<Ed25519PrivateKey> KEYS = new ArrayList<>();
    static final ValidatorSet SET;
    static final ConsensusConfig CONFIG;

    static {
        List<Ed25519PublicKey> pubs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Ed25519PrivateKey k = Ed25519PrivateKey.fromSeed(Hashing.tagged("UnitKey", new byte[] {(byte) i}).toByteArray());
            KEYS.add(k);
            pubs.add(k.publicKey());
        }
        SET = new ValidatorSet(pubs);
        CONFIG = ConsensusConfig.defaults(CHAIN, SET, GENESIS, GENESIS_STATE);
    }

    private TestNet() {
    }

    static Ed25519PrivateKey keyOf(Address a) {
        for (Ed25519PrivateKey k : KEYS) {
            if (Address.of(k.publicKey()).equals(a)) {
                return k;
            }
        }
        throw new IllegalArgumentException("no key for " + a);
    }

    static final class GenesisStore implements CommittedBlocks {
        @Override
        public long height() {
            return 0;
        }

        @Override
        public Block blockAt(long height) {
            return null;
        }

        @Override
        public QuorumCertificate certificateAt(long height) {
            return height == 0 ? CONFIG.genesisQc() : null;
        }
    }

    static ConsensusCore core(Address validator) {
        return new ConsensusCore(CONFIG, new PersistentSafetyRules(CHAIN, keyOf(validator), SafetyState.INITIAL),
                SignatureVerifier.ED25519, new GenesisStore());
    }

    static Block block(long height, long round, QuorumCertificate justify, TimeoutCertificate tc, Address proposer, long ts) {
        return new Block(new BlockHeader(CHAIN, height, round, justify.voteData().blockId(), ts, proposer, Hash32.ZERO, justify, tc),
                List.of());
    }

    static VoteData dataFor(Block b) {
        Hash32 id = b.id();
        return new VoteData(id, b.header().round(), b.header().height(), Hashing.tagged("S", id.toByteArray()), Hash32.ZERO);
    }

    static QuorumCertificate qc(VoteData data, int signers) {
        List<ValidatorSignature> sigs = new ArrayList<>();
        for (int i = 0; i < signers; i++) {
            Vote v = Vote.sign(data, KEYS.get(i));
            sigs.add(new ValidatorSignature(v.validator(), v.signature()));
        }
        sigs.sort(null);
        return new QuorumCertificate(data, sigs);
    }
}
