package org.meshchain.node;

import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.state.StateStore;

/**
 * How the node gets its {@link BlockExecutor} (the execution engine lives in
 * {@code org.meshchain.node.execution}). Called once at start-up, after the store is open; the
 * executor reads committed state through {@code state} (never writes it: the storage actor is the
 * single writer) and is closed with the node if it is {@link AutoCloseable}.
 */
@FunctionalInterface
public interface BlockExecutorFactory {

    BlockExecutor create(org.meshchain.core.types.ChainId chainId, ChainStore chain, StateStore state, int threads);

    /**
     * As {@link #create(org.meshchain.core.types.ChainId, ChainStore, StateStore, int)}, with the node's cache of
     * transactions whose signature its mempool verified (ADR 0041); factories that ignore it verify every signature.
     */
    default BlockExecutor create(org.meshchain.core.types.ChainId chainId, ChainStore chain, StateStore state, int threads,
            org.meshchain.node.execution.VerifiedSignatures verified) {
        return create(chainId, chain, state, threads);
    }
}
