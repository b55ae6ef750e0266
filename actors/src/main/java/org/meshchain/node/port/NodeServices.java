package org.meshchain.node.port;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.persistence.chain.ChainView;

/**
 * What a running node offers to its edges: the HTTP API, the CLI's remote commands and node
 * extensions such as the hardware bridge. Implemented by the node (actors/); every method is safe to
 * call from any thread, never blocks on consensus, and reads only committed (certified) data.
 */
public interface NodeServices {

    ChainId chainId();

    ValidatorSet validatorSet();

    /** Hands a transaction to the mempool; completes with its admission or a typed rejection. */
    CompletionStage<SubmitOutcome> submitTransaction(SignedTransaction transaction);

    /**
     * A consistent read view of the committed chain (blocks, transactions, receipts, certificates,
     * flat state at the head). The caller closes it.
     */
    ChainView openChainView();

    /** The value at a state path at the committed head (see {@link org.meshchain.core.state.StatePaths}). */
    Optional<Bytes> readState(Hash32 path);

    /** The value at a state path at the committed head with a Merkle proof against the certified root. */
    CompletionStage<StateProofResult> proveState(Hash32 path);

    /** The latest certified header, or empty before the first commit. */
    Optional<CertifiedHeader> latestCertifiedHeader();

    NodeStatus status();

    /** The node's metrics registry: edges register their own metrics here and {@code /metrics} renders it. */
    org.meshchain.node.metrics.Metrics metrics();

    /** Peers as this node scores them (one entry per other validator). */
    List<PeerInfo> peers();

    /**
     * Calls {@code listener} after each commit, in height order, on a node thread; the listener must
     * not block. Closing the returned handle unsubscribes.
     */
    AutoCloseable subscribeCommits(Consumer<CommittedBlock> listener);
}
