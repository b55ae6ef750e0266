package org.meshchain.persistence.chain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.VoteData;

/** Builds real signed blocks, certificates and receipts for storage tests (shared through the test-jar). */
public final class ChainFixtures {

    public static final ChainId CHAIN = new ChainId("storage-test");
    public static final Ed25519PrivateKey SENDER = key(1);
    static final Ed25519PrivateKey PROPOSER = key(2);
    /** A state path (32 bytes, as every {@code state_values} key) holding the id of the latest committed block. */
    static final byte[] LATEST_BLOCK_STATE_KEY = java.util.Arrays.copyOf("latest-block".getBytes(StandardCharsets.US_ASCII), 32);

    private ChainFixtures() {
    }

    public static Ed25519PrivateKey key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    /** A block at {@code height} on {@code parentId} with {@code txCount} signed transfers (nonces start at {@code firstNonce}). */
    public static Block block(long height, Hash32 parentId, int txCount, long firstNonce, int padding) {
        List<SignedTransaction> txs = new ArrayList<>();
        for (int i = 0; i < txCount; i++) {
            Payload payload = padding > 0
                    ? new Payload.DeviceReport(Address.of(PROPOSER.publicKey()), firstNonce + i, Bytes.of(new byte[padding]))
                    : new Payload.Transfer(Address.of(PROPOSER.publicKey()), 1 + i);
            txs.add(SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(SENDER.publicKey()), firstNonce + i, 1,
                    1_000_000, payload), SENDER));
        }
        QuorumCertificate parentQc = new QuorumCertificate(
                new VoteData(parentId, Math.max(0, height - 1), Math.max(0, height - 1), Hash32.ZERO, Hash32.ZERO), List.of());
        BlockHeader header = new BlockHeader(CHAIN, height, height, parentId, 1_700_000_000_000L + height,
                Address.of(PROPOSER.publicKey()), TxRoot.of(txs), parentQc, null);
        return new Block(header, txs);
    }

    /** The QC that commits {@code block} (signatures are the consensus layer's to verify, not the store's). */
    public static QuorumCertificate certificate(Block block) {
        Hash32 stateRoot = Hashing.sha256(block.id().toByteArray());
        return new QuorumCertificate(new VoteData(block.id(), block.header().round(), block.header().height(),
                stateRoot, Hash32.ZERO), List.of());
    }

    /** The QC that commits {@code block} and certifies {@code stateRoot} as its post-state. */
    public static QuorumCertificate certificate(Block block, Hash32 stateRoot) {
        return new QuorumCertificate(new VoteData(block.id(), block.header().round(), block.header().height(),
                stateRoot, Hash32.ZERO), List.of());
    }

    public static List<Bytes> receipts(Block block) {
        List<Bytes> receipts = new ArrayList<>();
        for (int i = 0; i < block.transactions().size(); i++) {
            receipts.add(Bytes.of(("ok:" + block.header().height() + ":" + i).getBytes(StandardCharsets.US_ASCII)));
        }
        return receipts;
    }

    /** A state delta that records the latest block id, so tests can check block and state are atomic. */
    public static StateDelta delta(Block block) {
        return new StateDelta(List.of(
                StateDelta.Write.put(StateDelta.Column.NODES, block.id().toByteArray(), new byte[] {1}),
                StateDelta.Write.put(StateDelta.Column.VALUES, LATEST_BLOCK_STATE_KEY, block.id().toByteArray())));
    }

    /**
     * Stages {@code updates} (sorted by path) in the state tree and commits the next block with a
     * certificate for the staged root: what the node does for each committed block.
     */
    public static Block commitWithState(ChainStore store, org.meshchain.persistence.state.StateStore state,
            List<org.meshchain.merkle.SmtUpdate> updates, int txCount) throws CommitRejectedException {
        Hash32 root = state.stage(updates).root();
        long height = store.head().map(h -> h.height() + 1).orElse(0L);
        Hash32 parent = store.head().map(ChainStore.Head::blockId).orElse(Hash32.ZERO);
        Block block = block(height, parent, txCount, height * 1000, 0);
        state.commitBlock(block, certificate(block, root), receipts(block));
        return block;
    }

    /** Commits the next block on top of the store's head. */
    public static Block commitNext(ChainStore store, int txCount, int padding) throws CommitRejectedException {
        long height = store.head().map(h -> h.height() + 1).orElse(0L);
        Hash32 parent = store.head().map(ChainStore.Head::blockId).orElse(Hash32.ZERO);
        Block block = block(height, parent, txCount, height * 1000, padding);
        store.commitBlock(block, certificate(block), receipts(block), delta(block));
        return block;
    }
}
