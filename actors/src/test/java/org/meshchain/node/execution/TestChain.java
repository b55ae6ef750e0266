package org.meshchain.node.execution;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.VoteData;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.CommitRejectedException;
import org.meshchain.persistence.state.StateStore;

/** A real RocksDB chain and state store committed the way the node does it, plus block and tx builders. */
final class TestChain implements AutoCloseable {

    static final ChainId CHAIN = new ChainId("exec-test");
    static final int MAX_VALUE_BYTES = 512 * 1024;
    static final Ed25519PrivateKey PROPOSER = key(250);

    final ChainStore chain;
    final StateStore state;
    final ChainStoreCommittedState committed;

    TestChain(Path dir) {
        chain = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        state = new StateStore(chain, 10_000, MAX_VALUE_BYTES);
        committed = new ChainStoreCommittedState(chain, 50_000, MAX_VALUE_BYTES);
    }

    static Ed25519PrivateKey key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        seed[31] = (byte) (n >>> 8);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    static Address address(Ed25519PrivateKey key) {
        return Address.of(key.publicKey());
    }

    static SignedTransaction tx(Ed25519PrivateKey sender, long nonce, long fee, Payload payload) {
        return SignedTransaction.sign(new TransactionBody(CHAIN, address(sender), nonce, fee, 1_000_000, payload), sender);
    }

    static Block block(long height, Hash32 parentId, List<SignedTransaction> txs) {
        QuorumCertificate justify = new QuorumCertificate(
                new VoteData(parentId, Math.max(0, height - 1), Math.max(0, height - 1), Hash32.ZERO, Hash32.ZERO), List.of());
        return new Block(new BlockHeader(CHAIN, height, height, parentId, 1_700_000_000_000L + height * 1000,
                address(PROPOSER), TxRoot.of(txs), justify, null), txs);
    }

    /** Commits genesis (height 0, no transactions) holding {@code allocations}; returns its block. */
    Block commitGenesis(List<GenesisState.Allocation> allocations) throws CommitRejectedException {
        return commitGenesis(allocations, List.of());
    }

    Block commitGenesis(List<GenesisState.Allocation> allocations, List<Payload.UtxoOutput> utxos) throws CommitRejectedException {
        Block genesis = block(0, Hash32.ZERO, List.of());
        Hash32 root = state.stage(GenesisState.updates(allocations, utxos)).root();
        state.commitBlock(genesis, certificate(genesis, root), List.of());
        return genesis;
    }

    /** Stages exactly the executed block's updates on the committed parent and commits: what the node does. */
    Hash32 commit(Block block, ExecutedBlock executed) throws CommitRejectedException {
        Hash32 root = state.stage(executed.stateUpdates()).root();
        state.commitBlock(block, certificate(block, executed.stateRoot()), executed.receipts());
        return root;
    }

    static QuorumCertificate certificate(Block block, Hash32 stateRoot) {
        return new QuorumCertificate(new VoteData(block.id(), block.header().round(), block.header().height(),
                stateRoot, Hash32.ZERO), List.of());
    }

    static Bytes contract(String name) {
        try (InputStream in = TestChain.class.getResourceAsStream("/org/meshchain/wasm/contracts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("contract " + name + " not on the class path");
            }
            return Bytes.of(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<GenesisState.Allocation> fund(List<Ed25519PrivateKey> keys, long balance) {
        List<GenesisState.Allocation> out = new ArrayList<>();
        for (Ed25519PrivateKey k : keys) {
            out.add(new GenesisState.Allocation(address(k), balance));
        }
        return out;
    }

    @Override
    public void close() {
        chain.close();
    }
}
