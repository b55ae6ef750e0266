package org.meshchain.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.wasm.CallResult;
import org.meshchain.wasm.ExecutionContext;
import org.meshchain.wasm.GasSchedule;
import org.meshchain.wasm.StateView;
import org.meshchain.wasm.WasmLimits;
import org.meshchain.wasm.WasmRuntime;

/**
 * {@code bin/bench wasmcalls [seconds] [rounds]}: token-contract {@code transfer} calls through
 * {@link WasmRuntime#call} from 1 and from 2 threads, on two runtimes in the same JVM: one that creates a
 * polyglot context for every call (contextReuseCalls = 1, the lifecycle before ADR 0060) and one where each
 * call thread reuses its context (the default). Every call still instantiates the module afresh in both.
 * Reports calls per second, process CPU per call and cores used, per variant and thread count, interleaved
 * round by round after a warm-up of 3 x seconds per variant. CPU per call is the figure that the load of
 * other processes on a shared machine disturbs least. Ends with one RESULT line.
 */
public final class WasmcallsBench {

    private record Key(Address contract, Bytes key) {}

    /** A thread-safe in-memory state: the calls touch disjoint keys. */
    private static final class MapState implements StateView {
        final Map<Address, Bytes> code = new ConcurrentHashMap<>();
        final Map<Key, Bytes> storage = new ConcurrentHashMap<>();

        @Override
        public Optional<Bytes> contractCode(Address contract) {
            return Optional.ofNullable(code.get(contract));
        }

        @Override
        public Optional<Bytes> storageGet(Address contract, Bytes key) {
            return Optional.ofNullable(storage.get(new Key(contract, key)));
        }

        @Override
        public void storagePut(Address contract, Bytes key, Bytes value) {
            storage.put(new Key(contract, key), value);
        }

        @Override
        public boolean storageDelete(Address contract, Bytes key) {
            return storage.remove(new Key(contract, key)) != null;
        }

        @Override
        public long balance(Address account) {
            return 0;
        }

        @Override
        public void setBalance(Address account, long balance) {
            throw new UnsupportedOperationException("the token contract does not move native balances");
        }
    }

    private static final int HOLDERS = 4_096;

    private WasmcallsBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (seconds < 1 || rounds < 1) {
            throw new IllegalArgumentException("usage: bin/bench wasmcalls [seconds >= 1] [rounds >= 1]");
        }
        MapState state = new MapState();
        Address token = address("token");
        state.code.put(token, contract("token.wasm"));
        Address[] from = new Address[HOLDERS];
        Bytes[] args40 = new Bytes[HOLDERS];
        Payload.AccessSet[] access = new Payload.AccessSet[HOLDERS];
        for (int i = 0; i < HOLDERS; i++) {
            from[i] = address("from" + i);
            Address to = address("to" + i);
            state.storagePut(token, balanceKey(from[i]),
                    Bytes.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).array()));
            args40[i] = Bytes.of(ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).put(to.hash().toByteArray()).putLong(1).array());
            List<Bytes> writes = new ArrayList<>(List.of(balanceKey(from[i]), balanceKey(to)));
            writes.sort(null);
            access[i] = new Payload.AccessSet(List.of(), writes);
        }
        String[] names = {"fresh context per call", "reused context per thread"};
        WasmRuntime[] runtimes = new WasmRuntime[2];
        for (int v = 0; v < 2; v++) {
            runtimes[v] = new WasmRuntime(new WasmRuntime.Config(GasSchedule.V1, WasmLimits.DEFAULT, 16, Duration.ofSeconds(30), 2, 256L << 20,
                    v == 0 ? 1 : WasmRuntime.Config.DEFAULT_CONTEXT_REUSE_CALLS));
        }
        System.out.println("wasmcalls bench: " + runtimes[0].runtimeDescription() + ", " + seconds + " s per measurement, " + rounds
                + " rounds, load average " + ExecutorBench.loadAverage());
        AtomicLong gasSeen = new AtomicLong(-1);
        for (int v = 0; v < 2; v++) {
            measure(runtimes[v], state, token, from, args40, access, 2, 3 * seconds, gasSeen);
        }
        // [variant][threads-1][round] = CPU µs per call
        double[][][] cpuPerCall = new double[2][2][rounds];
        System.out.println();
        System.out.println("| round | runtime | threads | calls/s | CPU µs/call | cores used |");
        System.out.println("|---|---|---|---|---|---|");
        for (int r = 0; r < rounds; r++) {
            for (int threads = 1; threads <= 2; threads++) {
                for (int v = 0; v < 2; v++) {
                    double[] m = measure(runtimes[v], state, token, from, args40, access, threads, seconds, gasSeen);
                    cpuPerCall[v][threads - 1][r] = m[1];
                    System.out.printf(Locale.ROOT, "| %d | %s | %d | %.0f | %.1f | %.2f |%n", r + 1, names[v], threads, m[0], m[1], m[2]);
                }
            }
        }
        for (WasmRuntime rt : runtimes) {
            rt.close();
        }
        double fresh1 = BenchStats.percentile(cpuPerCall[0][0], 50);
        double reused1 = BenchStats.percentile(cpuPerCall[1][0], 50);
        double fresh2 = BenchStats.percentile(cpuPerCall[0][1], 50);
        double reused2 = BenchStats.percentile(cpuPerCall[1][1], 50);
        System.out.println();
        System.out.println("load average at the end: " + ExecutorBench.loadAverage() + "; the costliest call used " + gasSeen.get() + " gas");
        System.out.printf(Locale.ROOT, "RESULT wasmcalls fresh_cpu_us_1t=%.1f reused_cpu_us_1t=%.1f fresh_cpu_us_2t=%.1f reused_cpu_us_2t=%.1f%n",
                fresh1, reused1, fresh2, reused2);
    }

    /** Returns {calls per second, process CPU µs per call, cores used}. */
    private static double[] measure(WasmRuntime rt, MapState state, Address token, Address[] from, Bytes[] args, Payload.AccessSet[] access,
                                    int threads, int seconds, AtomicLong gasSeen) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            workers.add(new Thread(() -> {
                long n = 0;
                try {
                    for (int i = first; !stop.get(); i = (i + threads) % HOLDERS) {
                        CallResult r = rt.call(state, new ExecutionContext(1, 1, from[i], token, access[i]), "transfer", args[i], 1_000_000);
                        if (!r.success()) {
                            throw new IllegalStateException("token transfer failed: " + r);
                        }
                        gasSeen.accumulateAndGet(r.gasUsed(), Math::max);
                        n++;
                    }
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    calls.addAndGet(n);
                }
            }, "wasmcalls-driver-" + t));
        }
        long cpu0 = ExecutorBench.processCpuNanos();
        long wall0 = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        long wall = System.nanoTime() - wall0;
        long cpu = ExecutorBench.processCpuNanos() - cpu0;
        if (failure.get() != null) {
            throw new IllegalStateException("a call failed", failure.get());
        }
        return new double[] {calls.get() / (wall / 1e9), cpu / 1e3 / calls.get(), cpu / (double) wall};
    }

    private static Address address(String seed) {
        return new Address(Hashing.sha256(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static Bytes balanceKey(Address a) {
        byte[] k = new byte[33];
        k[0] = 'b';
        a.hash().copyTo(k, 1);
        return Bytes.of(k);
    }

    private static Bytes contract(String name) throws IOException {
        try (InputStream in = WasmcallsBench.class.getResourceAsStream("/org/meshchain/wasm/contracts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("contract " + name + " not on the class path");
            }
            return Bytes.of(in.readAllBytes());
        }
    }
}
