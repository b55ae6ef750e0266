package org.meshchain.node;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.types.Block;
import org.meshchain.node.execution.BlockExecutor;
import org.meshchain.node.execution.ChainStoreCommittedState;
import org.meshchain.node.execution.ExecutedBlock;
import org.meshchain.node.execution.SerialBlockExecutor;
import org.meshchain.node.execution.VerifiedSignatures;
import org.meshchain.wasm.WasmContractRuntime;
import org.meshchain.wasm.WasmRuntime;

/**
 * The node's execution engine: the ledger rules with the GraalWasm contract runtime, reading committed
 * state through RocksDB snapshots (ADR 0021), on one dedicated execution thread per node. Closed with
 * the node (the wasm engine and the thread).
 */
public final class DefaultExecutors {

    /** Encoded state nodes the executor caches (bounded LRU, shared by executions). */
    private static final int NODE_CACHE_ENTRIES = 50_000;
    /** Largest state value read (contract code is up to 256 KiB). */
    private static final int MAX_VALUE_BYTES = 1 << 20;

    private DefaultExecutors() {}

    /**
     * The parallel executor pool with {@code threads} executors (execution's {@code ExecutorPool}, run by
     * the node as its {@code executors} child), or the serial executor on one thread when threads is 1.
     */
    public static BlockExecutorFactory factory() {
        return new BlockExecutorFactory() {
            @Override
            public BlockExecutor create(org.meshchain.core.types.ChainId chainId, org.meshchain.persistence.chain.ChainStore chain,
                    org.meshchain.persistence.state.StateStore state, int threads) {
                return create(chainId, chain, state, threads, VerifiedSignatures.DISABLED);
            }

            @Override
            public BlockExecutor create(org.meshchain.core.types.ChainId chainId, org.meshchain.persistence.chain.ChainStore chain,
                    org.meshchain.persistence.state.StateStore state, int threads, VerifiedSignatures verified) {
                // the serial reference executor verifies every signature itself (core BlockExecution.serial)
                return threads <= 1 ? serial(chainId, chain) : parallel(chainId, chain, threads, verified);
            }
        };
    }

    static BlockExecutor parallel(org.meshchain.core.types.ChainId chainId, org.meshchain.persistence.chain.ChainStore chain,
            int threads, VerifiedSignatures verified) {
        // contract calls run on the runtime's own threads: at least one per executor (ADR 0022 wiring)
        WasmRuntime wasm = new WasmRuntime(new WasmRuntime.Config(WasmRuntime.Config.DEFAULT.gas(),
                WasmRuntime.Config.DEFAULT.limits(), WasmRuntime.Config.DEFAULT.moduleCacheSize(),
                WasmRuntime.Config.DEFAULT.wallClockGuard(), Math.max(threads, WasmRuntime.Config.DEFAULT.executorThreads()),
                WasmRuntime.Config.DEFAULT.executorStackBytes()));
        try {
            Ledger ledger = new Ledger(Ledger.Config.of(chainId), new WasmContractRuntime(wasm));
            var pool = org.meshchain.node.execution.ExecutorPool.create(
                    new org.meshchain.node.execution.ExecutorPool.Settings(threads, 64, 16), ledger,
                    new ChainStoreCommittedState(chain, NODE_CACHE_ENTRIES, MAX_VALUE_BYTES), null, verified);
            return new PoolBackedExecutor(pool, wasm::close);
        } catch (RuntimeException e) {
            wasm.close();
            throw e;
        }
    }

    /** The serial reference executor on one dedicated thread. */
    public static BlockExecutorFactory serialFactory() {
        return (chainId, chain, state, threads) -> serial(chainId, chain);
    }

    static BlockExecutor serial(org.meshchain.core.types.ChainId chainId, org.meshchain.persistence.chain.ChainStore chain) {
        {
            WasmRuntime wasm = new WasmRuntime();
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "meshchain-execution");
                t.setDaemon(true);
                return t;
            });
            try {
                SerialBlockExecutor serial = new SerialBlockExecutor(
                        new Ledger(Ledger.Config.of(chainId), new WasmContractRuntime(wasm)),
                        new ChainStoreCommittedState(chain, NODE_CACHE_ENTRIES, MAX_VALUE_BYTES), thread);
                return new Closing(serial, wasm, thread);
            } catch (RuntimeException e) {
                thread.shutdownNow();
                wasm.close();
                throw e;
            }
        }
    }

    /** A block executor that owns the resources it runs on. */
    private record Closing(BlockExecutor delegate, WasmRuntime wasm, ExecutorService thread)
            implements BlockExecutor, AutoCloseable {
        @Override
        public CompletionStage<ExecutedBlock> execute(Block block, List<ExecutedBlock> uncommittedAncestors) {
            return delegate.execute(block, uncommittedAncestors);
        }

        @Override
        public void close() {
            thread.shutdownNow();
            wasm.close();
        }
    }
}
