package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * Gas is computed by hand from the V1 schedule (see docs/adr/0004-wasm-runtime.md for the region rules):
 * tx base a = 2000; simple = 1, branch/if/br_if = 2, call = 10, block/loop/end = 0, memory.grow = 50,
 * memory.grow page = 5000, host call base = 50.
 */
class GasExactnessTest {
    private static final WasmRuntime RT = TestSupport.RUNTIME;
    private static final GasSchedule G = GasSchedule.V1;
    private final InMemoryStateView state = new InMemoryStateView();
    private final Address self = TestSupport.address("gas");

    private CallResult call(String module, String fn, long gasLimit, long... args) {
        state.deploy(self, TestSupport.testModule(module));
        return RT.call(state, TestSupport.context(TestSupport.address("c"), self, Payload.AccessSet.EMPTY), fn,
                Bytes.EMPTY, gasLimit, args);
    }

    @Test
    void scheduleV1IsTheOneTheseNumbersAssume() {
        assertThat(G.version()).isEqualTo(1);
        assertThat(List.of(G.txBase(), G.weightSimple(), G.weightBranch(), G.weightCall(), G.weightStructural(),
                G.weightMemoryGrow(), G.memoryGrowPage(), G.hostCallBase()))
                .containsExactly(2000L, 1L, 2L, 10L, 0L, 50L, 5000L, 50L);
    }

    @Test
    void straightLineCode() {
        // i32.const, i32.const, i32.add, end = 1 + 1 + 1 + 0
        CallResult r = call("gas", "const3", 1_000_000);
        assertThat(r.values()).containsExactly(3L);
        assertThat(r.gasUsed()).isEqualTo(2000 + 3);
    }

    @Test
    void loopsChargeEveryIteration() {
        // per iteration: (local.get, local.get, i32.ge_u, br_if) 5 + (local.get, i32.const, i32.add, local.set, br) 6;
        // exit: 5; after the block: local.get 1
        for (int n : new int[] {0, 1, 2, 10, 1000}) {
            CallResult r = call("gas", "loop", 10_000_000, n);
            assertThat(r.values()).containsExactly((long) n);
            assertThat(r.gasUsed()).as("n=%d", n).isEqualTo(2000 + 11L * n + 5 + 1);
        }
    }

    @Test
    void callsChargeCallerAndCallee() {
        // caller: local.get 1 + call 10; callee: local.get 1
        assertThat(call("gas", "call_id", 1_000_000, 9).gasUsed()).isEqualTo(2000 + 11 + 1);
    }

    @Test
    void memoryGrowChargesPerPageEvenWhenItFails() {
        CallResult ok = call("gas", "grow", 1_000_000, 1);
        assertThat(ok.values()).containsExactly(1L);
        assertThat(ok.gasUsed()).isEqualTo(2000 + 51 + 5000);
        CallResult failed = call("gas", "grow", 1_000_000, 5); // max is 3 pages: grow returns -1
        assertThat(failed.values()).containsExactly(0xFFFFFFFFL & -1L | -1L);
        assertThat(failed.gasUsed()).isEqualTo(2000 + 51 + 5 * 5000);
    }

    @Test
    void recursionCostAndDeterministicStackLimit() {
        // rec(n) = 16 n + 3 : (local.get, if) 3 per frame + (local.get, i32.const, i32.sub, call) 13 per non-final frame
        assertThat(call("gas", "rec", 1_000_000, 10).gasUsed()).isEqualTo(2000 + 16 * 10 + 3);
        int limit = WasmLimits.DEFAULT.maxCallDepth();
        CallResult atLimit = call("gas", "rec", 1_000_000, limit - 1);
        assertThat(atLimit.success()).isTrue();
        assertThat(atLimit.gasUsed()).isEqualTo(2000 + 16L * (limit - 1) + 3);
        for (int run = 0; run < 3; run++) {
            CallResult over = call("gas", "rec", 1_000_000, limit);
            assertThat(over.error()).contains(new ContractError.StackOverflow(limit));
            // frames 1..limit each charged 16 before frame limit+1 failed its depth check
            assertThat(over.gasUsed()).isEqualTo(2000 + 16L * limit);
        }
    }

    @Test
    void outOfGasIsExactAndDeterministic() {
        long exact = 2000 + 11L * 100 + 5 + 1;
        assertThat(call("gas", "loop", exact, 100).success()).isTrue();
        for (int run = 0; run < 3; run++) {
            CallResult r = call("gas", "loop", exact - 1, 100);
            assertThat(r.error()).contains(new ContractError.OutOfGas(exact - 1));
            assertThat(r.gasUsed()).isEqualTo(exact - 1);
        }
        // below the tx base nothing runs
        CallResult none = call("gas", "const3", 1999);
        assertThat(none.error()).contains(new ContractError.OutOfGas(1999));
        assertThat(none.gasUsed()).isEqualTo(1999);
        assertThat(call("gas", "const3", 2003).success()).isTrue();
        assertThat(call("gas", "const3", 2002).success()).isFalse();
    }

    @Test
    void infiniteLoopRunsOutOfGas() {
        state.deploy(self, TestSupport.testModule("control"));
        CallResult r = RT.call(state, TestSupport.context(TestSupport.address("c"), self, Payload.AccessSet.EMPTY),
                "spin", Bytes.EMPTY, 5_000_000);
        assertThat(r.error()).contains(new ContractError.OutOfGas(5_000_000));
        assertThat(r.gasUsed()).isEqualTo(5_000_000);
    }

    @Test
    void hostCallsChargeBaseAndPerByte() {
        state.deploy(self, TestSupport.testModule("host"));
        var ctx = TestSupport.context(TestSupport.address("c"), self, Payload.AccessSet.EMPTY);
        // call 10 + host base 50, end 0
        assertThat(RT.call(state, ctx, "height", Bytes.EMPTY, 1_000_000).gasUsed()).isEqualTo(2000 + 10 + 50);
        Bytes k3 = Bytes.fromHex("616263");
        Bytes k4 = Bytes.fromHex("61626364");
        var w = TestSupport.context(TestSupport.address("c"), self, TestSupport.access(List.of(), List.of(k3, k4)));
        long g3 = RT.call(state, w, "put", k3, 1_000_000).gasUsed();
        long g4 = RT.call(state, w, "put", k4, 1_000_000).gasUsed();
        // one more byte: input copied once (input.byte) and key + value written (2 × storage.write.byte)
        assertThat(g4 - g3).isEqualTo(G.inputByte() + 2 * G.storageWriteByte());
    }
}
