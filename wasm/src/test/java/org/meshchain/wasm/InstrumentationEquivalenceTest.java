package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/** With ample gas, instrumented modules must behave exactly like the originals (results and traps). */
class InstrumentationEquivalenceTest {
    private static final WasmRuntime RT = TestSupport.RUNTIME;
    private static final long AMPLE = 1_000_000_000L;

    /** "ok:v1,v2" or "trap". */
    private static String original(Bytes code, String fn, long... args) {
        try (WasmRuntime.BenchmarkInstance raw = RT.benchmarkInstance(code, false)) {
            Value f = raw.function(fn);
            Object[] a = new Object[args.length];
            Value r;
            try {
                r = f.execute(convert(f, args, a));
            } catch (PolyglotException e) {
                assertThat(e.isGuestException()).isTrue();
                return "trap";
            }
            List<Long> values = new ArrayList<>();
            if (r.hasArrayElements()) {
                for (long i = 0; i < r.getArraySize(); i++) {
                    values.add(r.getArrayElement(i).asLong());
                }
            } else if (!r.isNull()) {
                values.add(r.asLong());
            }
            return "ok:" + values;
        }
    }

    private static Object[] convert(Value f, long[] args, Object[] out) {
        // parameter types are not visible through the polyglot API: the test passes i32 args as ints
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i] >= Integer.MIN_VALUE && args[i] <= Integer.MAX_VALUE && !I64_ARGS ? (Object) (int) args[i] : (Object) args[i];
        }
        return out;
    }

    private static boolean I64_ARGS = false;

    private static String metered(Bytes code, String fn, long... args) {
        InMemoryStateView state = new InMemoryStateView();
        Address self = TestSupport.address("equiv");
        state.deploy(self, code);
        CallResult r = RT.call(state, TestSupport.context(TestSupport.address("caller"), self, Payload.AccessSet.EMPTY),
                fn, Bytes.EMPTY, AMPLE, args);
        if (r.success()) {
            return "ok:" + r.values();
        }
        assertThat(r.error().get()).isInstanceOf(ContractError.Trap.class);
        return "trap";
    }

    private void same(Bytes code, String fn, long... args) {
        String m = metered(code, fn, args);
        // the original runs on a thread with a stack as large as the runtime's executor threads, so that deep
        // recursion is limited by the same thing on both sides (the JVM stack of the test thread is small)
        String[] o1 = new String[1];
        Throwable[] err = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                o1[0] = original(code, fn, args);
            } catch (Throwable e) {
                err[0] = e;
            }
        }, "original", 256L << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (err[0] != null) {
            throw new AssertionError(err[0]);
        }
        String o = o1[0];
        assertThat(m).as("%s%s", fn, java.util.Arrays.toString(args)).isEqualTo(o);
    }

    @Test
    void controlFlowBranchesLoopsAndRecursion() {
        Bytes code = TestSupport.testModule("control");
        Random rnd = new Random(42);
        int[] edge = {0, 1, 2, 3, 4, 5, 7, 10, 11, 50, 51, 99, 100, 101, -1, -7, Integer.MIN_VALUE, Integer.MAX_VALUE};
        List<Integer> inputs = new ArrayList<>();
        for (int e : edge) {
            inputs.add(e);
        }
        for (int i = 0; i < 6; i++) {
            inputs.add(rnd.nextInt(200) - 50);
        }
        for (int x : inputs) {
            same(code, "abs", x);
            same(code, "switch", x);
            same(code, "switch_value", x);
            same(code, "nested", x);
            same(code, "br_to_function", x);
            same(code, "early_return", x);
            same(code, "mem_ops", x);
            same(code, "multi", x);
            same(code, "pair", x);
            same(code, "counter", x);
            same(code, "trap_if", x);
            same(code, "dispatch", x & 3, x, 3);
            same(code, "div", 1000, x);
            same(code, "oob", x);
        }
        for (int n : new int[] {0, 1, 2, 10, 25}) {
            same(code, "fib", n);
            same(code, "even", n);
            same(code, "sum_to", n * 40);
            same(code, "deep", n * 20);
        }
        // pinned values, so that agreement cannot come from both sides being wrong in the same way
        assertThat(metered(code, "fib", 10)).isEqualTo("ok:[55]");
        assertThat(metered(code, "switch", 1)).isEqualTo("ok:[200]");
        assertThat(metered(code, "switch", 9)).isEqualTo("ok:[999]");
        assertThat(metered(code, "pair", 5)).isEqualTo("ok:[6, 10]");
        assertThat(metered(code, "div", 1, 0)).isEqualTo("trap");
        assertThat(metered(code, "early_return", 3)).isEqualTo("ok:[63]");
        same(code, "dispatch", 3, 7, 0); // division by zero through call_indirect: trap in both
        for (int p : new int[] {0, 1, 3, 4, 100}) {
            same(code, "grow", p);
        }
    }

    @Test
    void sixtyFourBitArguments() {
        Bytes code = TestSupport.testModule("control");
        I64_ARGS = true;
        try {
            for (long n : new long[] {0, 1, 6, 7, 27, 97, 871, 1L << 40}) {
                same(code, "collatz", n);
                same(code, "fact", n % 21);
            }
            same(code, "select_max", -5, 3);
            same(code, "select_max", Long.MAX_VALUE, Long.MIN_VALUE);
        } finally {
            I64_ARGS = false;
        }
    }

    @Test
    void computeContract() {
        Bytes code = TestSupport.contract("compute");
        for (int n : new int[] {0, 1, 100, 5000}) {
            same(code, "run", n);
        }
        same(code, "fib", 15);
    }

    @Test
    void startFunctionRunsBeforeTheEntryPoint() {
        Bytes code = TestSupport.testModule("start");
        assertThat(metered(code, "get")).isEqualTo("ok:[42]");
        same(code, "get");
    }
}
