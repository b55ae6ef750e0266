package org.meshchain.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.graalvm.polyglot.Value;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.wasm.CallResult;
import org.meshchain.wasm.ExecutionContext;
import org.meshchain.wasm.StateView;
import org.meshchain.wasm.WasmRuntime;

/**
 * {@code bin/bench wasm}: the compute contract on GraalWasm (metered and unmetered), Chicory (compiler) and
 * Node.js/V8 on the same .wasm, in ms per call after warm-up; and the per-call overhead (instantiate + call +
 * return) of a tiny contract through the full runtime path. Ends with one RESULT line.
 *
 * <p>System properties: {@code wasm.bench.n} (rounds per compute call, default 2000000),
 * {@code wasm.bench.seconds} (warm-up seconds per engine, default 8), {@code wasm.bench.samples} (default 15).
 */
public final class WasmBench {
    private static final int N = Integer.getInteger("wasm.bench.n", 2_000_000);
    private static final int WARMUP_SECONDS = Integer.getInteger("wasm.bench.seconds", 8);
    private static final int SAMPLES = Integer.getInteger("wasm.bench.samples", 15);

    private WasmBench() {}

    public static void main(String[] args) throws Exception {
        byte[] compute = resource("compute.wasm");
        byte[] tiny = resource("tiny.wasm");
        try (WasmRuntime runtime = new WasmRuntime()) {
            System.out.println("runtime: " + runtime.runtimeDescription());
            if (!runtime.isOptimizing()) {
                System.out.println("WARNING: GraalWasm is running on the Truffle interpreter; numbers are meaningless for the goals");
            }
            long expected;
            double graalRaw;
            double graalMetered;
            try (WasmRuntime.BenchmarkInstance raw = runtime.benchmarkInstance(Bytes.of(compute), false);
                 WasmRuntime.BenchmarkInstance metered = runtime.benchmarkInstance(Bytes.of(compute), true)) {
                Value rawRun = raw.function("run");
                Value meteredRun = metered.function("run");
                expected = rawRun.execute(N).asLong();
                check("graalwasm metered", meteredRun.execute(N).asLong(), expected);
                // interleave the two so that machine noise hits both alike
                double[] both = measurePair(n -> rawRun.execute((int) n).asLong(), n -> meteredRun.execute((int) n).asLong());
                graalRaw = both[0];
                graalMetered = both[1];
                long before = metered.gasUsed();
                meteredRun.execute(N);
                System.out.printf(Locale.ROOT, "gas per run(%d) call: %d%n", N, metered.gasUsed() - before);
            }
            System.out.printf(Locale.ROOT, "graalwasm unmetered: %.3f ms/call%n", graalRaw);
            System.out.printf(Locale.ROOT, "graalwasm metered:   %.3f ms/call%n", graalMetered);

            WasmModule module = Parser.parse(compute);
            Instance chicory = Instance.builder(module).withMachineFactory(MachineFactoryCompiler.compile(module)).build();
            ExportFunction chicoryRun = chicory.export("run");
            check("chicory", chicoryRun.apply(N)[0], expected);
            double chicoryMs = measure(n -> chicoryRun.apply(n)[0]);
            System.out.printf(Locale.ROOT, "chicory (compiler):  %.3f ms/call%n", chicoryMs);

            Optional<Double> v8 = v8(compute, expected);
            v8.ifPresentOrElse(ms -> System.out.printf(Locale.ROOT, "node/v8:             %.3f ms/call%n", ms),
                    () -> System.out.println("node/v8:             not available (node not on PATH)"));

            double overheadUs = callOverheadMicros(runtime, tiny);
            System.out.printf(Locale.ROOT, "call overhead (tiny contract, instantiate + call + return): %.1f us/call%n", overheadUs);

            double meteringOverhead = graalMetered / graalRaw - 1.0;
            System.out.printf(Locale.ROOT, "RESULT wasm graal_vs_v8=%s metering_overhead=%.3f call_overhead_us=%.1f%n",
                    v8.map(ms -> String.format(Locale.ROOT, "%.3f", ms / graalRaw)).orElse("n/a"), meteringOverhead, overheadUs);
        }
    }

    private static void check(String engine, long got, long expected) {
        if (got != expected) {
            throw new IllegalStateException(engine + " computed " + got + ", expected " + expected);
        }
    }

    /** Median ms per call of run(N) after a timed warm-up. */
    private static double measure(LongUnaryOperator run) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
        while (System.nanoTime() < end) {
            run.applyAsLong(N);
        }
        double[] samples = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long t0 = System.nanoTime();
            run.applyAsLong(N);
            samples[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(samples);
    }

    private static double[] measurePair(LongUnaryOperator a, LongUnaryOperator b) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
        while (System.nanoTime() < end) {
            a.applyAsLong(N);
            b.applyAsLong(N);
        }
        double[] sa = new double[SAMPLES];
        double[] sb = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long t0 = System.nanoTime();
            a.applyAsLong(N);
            long t1 = System.nanoTime();
            b.applyAsLong(N);
            long t2 = System.nanoTime();
            sa[i] = (t1 - t0) / 1e6;
            sb[i] = (t2 - t1) / 1e6;
        }
        return new double[] {median(sa), median(sb)};
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static Optional<Double> v8(byte[] wasm, long expected) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("wasm-bench");
        try {
            Path module = dir.resolve("compute.wasm");
            Files.write(module, wasm);
            Path script = dir.resolve("bench.js");
            Files.writeString(script, """
                    const fs = require('fs');
                    const [file, n, warmupSeconds, samples] = process.argv.slice(2).map((v, i) => i === 0 ? v : Number(v));
                    const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)));
                    const run = instance.exports.run;
                    const result = run(n);
                    const end = process.hrtime.bigint() + BigInt(warmupSeconds) * 1000000000n;
                    while (process.hrtime.bigint() < end) run(n);
                    const times = [];
                    for (let i = 0; i < samples; i++) {
                      const t0 = process.hrtime.bigint(); run(n); times.push(Number(process.hrtime.bigint() - t0) / 1e6);
                    }
                    times.sort((a, b) => a - b);
                    const med = samples % 2 ? times[(samples - 1) / 2] : (times[samples / 2 - 1] + times[samples / 2]) / 2;
                    console.log(result.toString() + ' ' + med);
                    """);
            Process p;
            try {
                p = new ProcessBuilder("node", script.toString(), module.toString(), String.valueOf(N),
                        String.valueOf(WARMUP_SECONDS), String.valueOf(SAMPLES)).redirectErrorStream(true).start();
            } catch (IOException e) {
                return Optional.empty();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("node failed: " + out);
            }
            String[] parts = out.split("\\s+");
            check("node/v8", Long.parseLong(parts[0]), expected);
            return Optional.of(Double.parseDouble(parts[1]));
        } finally {
            BenchFiles.deleteTree(dir);
        }
    }

    /** Full runtime path per call: fresh context and instance, gas setup, call, result, teardown. */
    private static double callOverheadMicros(WasmRuntime runtime, byte[] tiny) {
        Address self = new Address(Hashing.sha256("tiny".getBytes(StandardCharsets.UTF_8)));
        Address caller = new Address(Hashing.sha256("caller".getBytes(StandardCharsets.UTF_8)));
        WasmBenchState state = new WasmBenchState();
        state.code.put(self, Bytes.of(tiny));
        ExecutionContext ctx = new ExecutionContext(1, 1, caller, self, Payload.AccessSet.EMPTY);
        runtime.deploy(Bytes.of(tiny));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
        while (System.nanoTime() < end) {
            ping(runtime, state, ctx);
        }
        double[] samples = new double[SAMPLES];
        int calls = 200;
        for (int i = 0; i < SAMPLES; i++) {
            long t0 = System.nanoTime();
            for (int j = 0; j < calls; j++) {
                ping(runtime, state, ctx);
            }
            samples[i] = (System.nanoTime() - t0) / 1e3 / calls;
        }
        return median(samples);
    }

    private static void ping(WasmRuntime runtime, StateView state, ExecutionContext ctx) {
        CallResult r = runtime.call(state, ctx, "ping", Bytes.EMPTY, 100_000);
        if (!r.success() || r.values().get(0) != 1L) {
            throw new IllegalStateException("tiny contract failed: " + r);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WasmRuntime.class.getResourceAsStream("/org/meshchain/wasm/contracts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing contract resource " + name);
            }
            return in.readAllBytes();
        }
    }

    /** A map-backed state view for the overhead measurement. */
    static final class WasmBenchState implements StateView {
        final Map<Address, Bytes> code = new HashMap<>();

        @Override
        public Optional<Bytes> contractCode(Address contract) {
            return Optional.ofNullable(code.get(contract));
        }

        @Override
        public Optional<Bytes> storageGet(Address contract, Bytes key) {
            return Optional.empty();
        }

        @Override
        public void storagePut(Address contract, Bytes key, Bytes value) {
            throw new UnsupportedOperationException("the tiny contract does not write");
        }

        @Override
        public boolean storageDelete(Address contract, Bytes key) {
            throw new UnsupportedOperationException("the tiny contract does not write");
        }

        @Override
        public long balance(Address account) {
            return 0;
        }

        @Override
        public void setBalance(Address account, long balance) {
            throw new UnsupportedOperationException("the tiny contract does not transfer");
        }
    }
}
