package org.meshchain.wasm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.error.ContractError;

/**
 * The contract runtime: one shared GraalWasm {@link Engine}; deployed modules validated, instrumented and
 * parsed once, cached by code hash (bounded LRU); a fresh instance per call, in a polyglot context that each
 * call thread reuses for {@link Config#contextReuseCalls()} calls (ADR 0060).
 *
 * <p>Calls run on a small pool of threads with a large fixed stack so that the deterministic call-depth limit
 * is always reached before the JVM's stack. A wall-clock guard cancels a call that runs far beyond any
 * plausible gas budget; that is a runtime bug and surfaces as {@link WasmRuntimeFailure}, never as a
 * transaction result.
 */
public final class WasmRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WasmRuntime.class.getName());

    /**
     * @param contextReuseCalls how many calls a call thread runs in one polyglot context before it replaces it
     *     with a fresh one (each call always gets a fresh instance; see ADR 0060)
     */
    public record Config(GasSchedule gas, WasmLimits limits, int moduleCacheSize, Duration wallClockGuard,
                         int executorThreads, long executorStackBytes, int contextReuseCalls) {
        public static final int DEFAULT_CONTEXT_REUSE_CALLS = 10_000;
        public static final Config DEFAULT =
                new Config(GasSchedule.V1, WasmLimits.DEFAULT, 256, Duration.ofSeconds(30), 2, 256L << 20);

        public Config {
            Objects.requireNonNull(gas, "gas");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(wallClockGuard, "wallClockGuard");
            if (moduleCacheSize < 1 || executorThreads < 1 || executorStackBytes < (1L << 20) || contextReuseCalls < 1) {
                throw new IllegalArgumentException("bad runtime config");
            }
        }

        public Config(GasSchedule gas, WasmLimits limits, int moduleCacheSize, Duration wallClockGuard,
                      int executorThreads, long executorStackBytes) {
            this(gas, limits, moduleCacheSize, wallClockGuard, executorThreads, executorStackBytes, DEFAULT_CONTEXT_REUSE_CALLS);
        }
    }

    /**
     * The polyglot context one call thread reuses, with the modules it has evaluated in it. Only the context
     * (the engine-side bookkeeping) is reused: every call instantiates the module afresh, with its own memory,
     * globals, tables and host imports, so no guest-visible state survives a call.
     */
    private static final class ThreadContext {
        final Context context;
        final Map<Hash32, Value> modules;
        int calls;

        ThreadContext(Context context, int moduleCacheSize) {
            this.context = context;
            this.modules = new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<Hash32, Value> eldest) {
                    return size() > moduleCacheSize;
                }
            };
        }

        Value module(Prepared p) {
            Value m = modules.get(p.codeHash());
            if (m == null) {
                m = context.eval(p.source());
                modules.put(p.codeHash(), m);
            }
            return m;
        }
    }

    /** A validated, instrumented module ready to instantiate. */
    private record Prepared(Hash32 codeHash, Source source, Map<String, ParsedModule.FuncType> functions,
                            boolean hasStart, boolean hasMemory) {}

    private final Config config;
    private final Engine engine;
    private final ModuleParser parser;
    private final Instrumenter instrumenter;
    private final Map<Hash32, Prepared> cache;
    private final ExecutorService executor;
    private final ThreadLocal<ThreadContext> threadContexts = new ThreadLocal<>();
    /** Every live thread context, so {@link #close()} can close them from another thread. */
    private final Set<Context> openContexts = ConcurrentHashMap.newKeySet();

    public WasmRuntime() {
        this(Config.DEFAULT);
    }

    public WasmRuntime(Config config) {
        this.config = config;
        this.engine = Engine.newBuilder("wasm").option("engine.WarnInterpreterOnly", "false").build();
        this.parser = new ModuleParser(config.limits());
        this.instrumenter = new Instrumenter(config.gas(), config.limits());
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash32, Prepared> eldest) {
                return size() > config.moduleCacheSize();
            }
        });
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(null, r, "wasm-exec-" + n.incrementAndGet(), config.executorStackBytes());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newFixedThreadPool(config.executorThreads(), tf);
        if (isOptimizing()) {
            LOG.log(System.Logger.Level.INFO, "WASM runtime: {0}", runtimeDescription());
        } else {
            LOG.log(System.Logger.Level.WARNING, """

                    ****************************************************************************
                    * WASM runtime fell back to the Truffle INTERPRETER ({0}).
                    * Contracts will run about 100x slower. Start the JVM with
                    *   -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI
                    *   --upgrade-module-path=<Graal compiler jars>
                    ****************************************************************************""",
                    runtimeDescription());
        }
    }

    /** Which Truffle runtime the engine got, e.g. "GraalVM CE" (optimizing) or "Interpreted". */
    public String runtimeDescription() {
        return engine.getImplementationName() + (isOptimizing() ? " (optimizing Truffle runtime, Graal JIT)"
                : " (fallback Truffle runtime, no JIT)");
    }

    public boolean isOptimizing() {
        return !"Interpreted".equalsIgnoreCase(engine.getImplementationName());
    }

    public Config config() {
        return config;
    }

    public static Hash32 codeHash(Bytes code) {
        return Hashing.sha256(code.toByteArray());
    }

    public int cachedModules() {
        return cache.size();
    }

    /**
     * Validates {@code code} (throws {@link ContractException} with {@code InvalidBytecode} naming the reason),
     * instruments it, parses and links it once with GraalWasm, and caches it. Returns the code hash.
     */
    public Hash32 deploy(Bytes code) {
        Hash32 hash = codeHash(code);
        Prepared p = cache.get(hash);
        if (p == null) {
            p = prepare(hash, code.toByteArray());
            cache.put(hash, p);
        }
        return hash;
    }

    /** The instrumented form of {@code code}, for inspection and tests. */
    public byte[] instrument(Bytes code) {
        return instrumenter.instrument(parser.parse(code.toByteArray()));
    }

    private Prepared prepare(Hash32 hash, byte[] code) {
        ParsedModule m = parser.parse(code);
        byte[] instrumented = instrumenter.instrument(m);
        Map<String, ParsedModule.FuncType> fns = new LinkedHashMap<>();
        for (ParsedModule.Export e : m.exports()) {
            if (e.kind() == 0) {
                fns.put(e.name(), m.functionType(e.index()));
            }
        }
        Source source = Source.newBuilder("wasm", ByteSequence.create(instrumented), "c" + hash.toHex().substring(0, 16))
                .cached(true).buildLiteral();
        Prepared p = new Prepared(hash, source, Map.copyOf(fns), m.startFunction() != ParsedModule.NO_START, m.hasMemory());
        // full validation (stack typing) and link check by GraalWasm itself
        runGuarded(ctxRef -> {
            try (Context c = newContext()) {
                ctxRef.set(c);
                HostEnvironment host = new HostEnvironment(
                        new ExecutionContext(0, 0, ZERO_ADDRESS, ZERO_ADDRESS, org.meshchain.core.types.Payload.AccessSet.EMPTY),
                        null, config.gas(), Bytes.EMPTY, 0);
                c.eval(source).newInstance(host.imports());
            } catch (PolyglotException e) {
                if (e.isCancelled() || e.isInternalError() || e.isResourceExhausted()) {
                    throw new WasmRuntimeFailure("GraalWasm failed while validating a module", e);
                }
                throw new ContractException(new ContractError.InvalidBytecode("rejected by the WebAssembly validator: " + e.getMessage()));
            }
            return null;
        });
        return p;
    }

    private static final org.meshchain.core.types.Address ZERO_ADDRESS = new org.meshchain.core.types.Address(Hash32.ZERO);

    private Context newContext() {
        return Context.newBuilder("wasm").engine(engine).build();
    }

    /** The calling thread's context, replaced by a fresh one after {@link Config#contextReuseCalls()} calls. */
    private ThreadContext threadContext() {
        ThreadContext tc = threadContexts.get();
        if (tc != null && tc.calls >= config.contextReuseCalls()) {
            discardThreadContext();
            tc = null;
        }
        if (tc == null) {
            tc = new ThreadContext(newContext(), config.moduleCacheSize());
            openContexts.add(tc.context);
            threadContexts.set(tc);
        }
        tc.calls++;
        return tc;
    }

    /** Drops the calling thread's context (after a runtime failure or cancellation, or when it is due for renewal). */
    private void discardThreadContext() {
        ThreadContext tc = threadContexts.get();
        if (tc == null) {
            return;
        }
        threadContexts.remove();
        openContexts.remove(tc.context);
        try {
            tc.context.close(true);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a discarded wasm context failed", e);
        }
    }

    /**
     * Calls exported function {@code function} of the contract at {@code ctx.self()} with numeric arguments
     * {@code args} (i32 parameters take the low 32 bits). Writes go to {@code state} only if the call succeeds.
     */
    public CallResult call(StateView state, ExecutionContext ctx, String function, Bytes input, long gasLimit, long... args) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(input, "input");
        if (gasLimit < 0) {
            throw new IllegalArgumentException("negative gas limit");
        }
        if (gasLimit < config.gas().txBase()) {
            return CallResult.failure(new ContractError.OutOfGas(gasLimit), gasLimit);
        }
        Optional<Bytes> code = state.contractCode(ctx.self());
        if (code.isEmpty()) {
            return CallResult.failure(new ContractError.NoContract(ctx.self().toHex()), config.gas().txBase());
        }
        Hash32 hash = codeHash(code.get());
        Prepared p = cache.get(hash);
        if (p == null) {
            try {
                p = prepare(hash, code.get().toByteArray());
            } catch (ContractException e) {
                return CallResult.failure(e.error(), config.gas().txBase());
            }
            cache.put(hash, p);
        }
        ParsedModule.FuncType type = p.functions().get(function);
        if (type == null || type.params().length != args.length) {
            return CallResult.failure(new ContractError.FunctionNotFound(function), config.gas().txBase());
        }
        Prepared prepared = p;
        return runGuarded(ctxRef -> {
            try {
                CallResult result = execute(prepared, type, state, ctx, function, input, gasLimit, args, ctxRef);
                if (ctxRef.getAndSet(null) == null) {
                    // the guard fired as the call ended and took the context to cancel it: the next call must not use it
                    discardThreadContext();
                }
                return result;
            } catch (RuntimeException | Error e) {
                // a fault of the runtime (or the guard's cancellation): never reuse a context it may have damaged
                discardThreadContext();
                throw e;
            }
        });
    }

    private CallResult execute(Prepared p, ParsedModule.FuncType type, StateView base, ExecutionContext ctx,
                               String function, Bytes input, long gasLimit, long[] args, AtomicReference<Context> ctxRef) {
        BufferedStateView state = new BufferedStateView(base);
        HostEnvironment host = new HostEnvironment(ctx, state, config.gas(), input, gasLimit);
        long budget = gasLimit - config.gas().txBase();
        ThreadContext tc = threadContext();
        ctxRef.set(tc.context);
        try {
            Value exports = tc.module(p).newInstance(host.imports()).getMember("exports");
            Value gasGlobal = exports.getMember(Instrumenter.GAS_EXPORT);
            Value status = exports.getMember(Instrumenter.STATUS_EXPORT);
            host.bind(gasGlobal, p.hasMemory() ? exports.getMember(Instrumenter.MEMORY_EXPORT) : null);
            gasGlobal.putMember("value", budget);
            try {
                if (p.hasStart()) {
                    exports.getMember(Instrumenter.START_EXPORT).execute();
                }
                Object[] wasmArgs = new Object[args.length];
                for (int i = 0; i < args.length; i++) {
                    wasmArgs[i] = type.params()[i] == ModuleParser.I32 ? (Object) (int) args[i] : (Object) args[i];
                }
                Value r = exports.getMember(function).execute(wasmArgs);
                List<Long> values = new ArrayList<>();
                if (type.results().length == 1) {
                    values.add(r.asLong());
                } else if (type.results().length > 1) {
                    for (long i = 0; i < r.getArraySize(); i++) {
                        values.add(r.getArrayElement(i).asLong());
                    }
                }
                long used = gasLimit - gasGlobal.getMember("value").asLong();
                state.commit();
                return new CallResult(Optional.empty(), used, host.returnData(), values, host.events());
            } catch (PolyglotException e) {
                if (e.isCancelled()) {
                    throw new WasmRuntimeFailure("wall-clock guard cancelled a contract call", e);
                }
                if (host.pending() != null) {
                    ContractError err = host.pending();
                    long used = err instanceof ContractError.OutOfGas ? gasLimit
                            : gasLimit - gasGlobal.getMember("value").asLong();
                    return CallResult.failure(err, used);
                }
                if (e.isHostException() || e.isInternalError() || e.isResourceExhausted() || !e.isGuestException()) {
                    throw new WasmRuntimeFailure("runtime failure during a contract call: " + e.getMessage(), e);
                }
                int s = status.getMember("value").asInt();
                long used = gasLimit - gasGlobal.getMember("value").asLong();
                if (s == Instrumenter.STATUS_OUT_OF_GAS) {
                    return CallResult.failure(new ContractError.OutOfGas(gasLimit), gasLimit);
                }
                if (s == Instrumenter.STATUS_STACK_OVERFLOW) {
                    return CallResult.failure(new ContractError.StackOverflow(config.limits().maxCallDepth()), used);
                }
                if (String.valueOf(e.getMessage()).contains("call stack exhausted")) {
                    // the JVM stack ran out before the deterministic depth limit: never a transaction result
                    throw new WasmRuntimeFailure("JVM stack exhausted below the wasm call-depth limit", e);
                }
                return CallResult.failure(new ContractError.Trap(String.valueOf(e.getMessage())), used);
            }
        } catch (PolyglotException e) {
            // instantiation itself failed (e.g. a data segment out of bounds) or the guard cancelled it
            if (e.isCancelled() || e.isInternalError() || e.isResourceExhausted() || !e.isGuestException()) {
                throw new WasmRuntimeFailure("runtime failure while instantiating a contract: " + e.getMessage(), e);
            }
            return CallResult.failure(new ContractError.Trap(String.valueOf(e.getMessage())), config.gas().txBase());
        }
    }

    private interface GuardedTask<T> {
        T run(AtomicReference<Context> ctxRef);
    }

    private <T> T runGuarded(GuardedTask<T> task) {
        AtomicReference<Context> ctxRef = new AtomicReference<>();
        Future<T> f = executor.submit(() -> task.run(ctxRef));
        try {
            return f.get(config.wallClockGuard().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // whoever takes the context first owns its fate: here the guard cancels it; a call that ended first
            // cleared it, so a context the thread has moved on with is never cancelled
            Context c = ctxRef.getAndSet(null);
            if (c != null) {
                c.close(true);
            }
            f.cancel(true);
            LOG.log(System.Logger.Level.ERROR, "wall-clock guard fired after {0}: contract call cancelled", config.wallClockGuard());
            throw new WasmRuntimeFailure("wall-clock guard fired after " + config.wallClockGuard(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WasmRuntimeFailure("interrupted while waiting for a contract call", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ContractException ce) {
                throw ce;
            }
            if (cause instanceof WasmRuntimeFailure wf) {
                throw wf;
            }
            throw new WasmRuntimeFailure("contract call failed in the runtime: " + cause, cause);
        }
    }

    /**
     * A long-lived instance for benchmarks only (not for transactions): the module is instantiated once in a
     * context bound to the calling thread; if {@code metered}, it runs instrumented with an unlimited budget.
     * Only modules without imports.
     */
    public BenchmarkInstance benchmarkInstance(Bytes code, boolean metered) {
        ParsedModule m = parser.parse(code.toByteArray());
        if (!m.imports().isEmpty()) {
            throw new IllegalArgumentException("benchmark instances take modules without imports");
        }
        byte[] bytes = metered ? instrumenter.instrument(m) : code.toByteArray();
        Context c = newContext();
        Source src = Source.newBuilder("wasm", ByteSequence.create(bytes), metered ? "bench_metered" : "bench_raw").buildLiteral();
        Value exports = c.eval(src).newInstance().getMember("exports");
        if (metered) {
            exports.getMember(Instrumenter.GAS_EXPORT).putMember("value", Long.MAX_VALUE);
        }
        return new BenchmarkInstance(c, exports, metered);
    }

    /** See {@link #benchmarkInstance}. */
    public static final class BenchmarkInstance implements AutoCloseable {
        private final Context context;
        private final Value exports;
        private final boolean metered;

        private BenchmarkInstance(Context context, Value exports, boolean metered) {
            this.context = context;
            this.exports = exports;
            this.metered = metered;
        }

        public Value function(String name) {
            return exports.getMember(name);
        }

        /** Gas consumed so far (metered instances only). */
        public long gasUsed() {
            if (!metered) {
                throw new IllegalStateException("not metered");
            }
            return Long.MAX_VALUE - exports.getMember(Instrumenter.GAS_EXPORT).getMember("value").asLong();
        }

        @Override
        public void close() {
            context.close();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        for (Context c : openContexts) {
            try {
                c.close(true);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a wasm context failed", e);
            }
        }
        openContexts.clear();
        engine.close();
    }
}
