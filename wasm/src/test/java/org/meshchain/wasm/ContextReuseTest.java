package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * ADR 0060: a call thread reuses its polyglot context, but every call gets a fresh instance, so nothing a
 * call leaves in memory or globals is seen by the next one, and a context is renewed after
 * {@code contextReuseCalls} calls and after a runtime failure.
 */
class ContextReuseTest {

    /**
     * {@code bump() -> i64}: adds 1 to a mutable global and to the i64 at memory offset 0, returns
     * global * 1000 + memory[0]. A fresh instance returns 1001; a reused one would return 2002, 3003, ...
     * Hand-assembled so the test does not depend on the wat tool chain.
     */
    static final Bytes BUMP = Bytes.fromHex(
            "0061736d01000000"                      // magic, version 1
            + "010501600001" + "7e"                 // type section: () -> i64
            + "03020100"                            // function section: func 0 has type 0
            + "050401010101"                        // memory section: min 1, max 1 page
            + "0606017e0142000b"                    // global section: mut i64 = 0
            + "070801" + "0462756d70" + "0000"      // export "bump" = func 0
            + "0a2401" + "22" + "00"                // code section: one body of 34 bytes, no locals
            + "230042017c2400"                      // global0 = global0 + 1
            + "4100" + "4100" + "290300" + "42017c" + "370300" // mem[0] = mem[0] + 1
            + "2300" + "42e8077e"                   // global0 * 1000
            + "4100290300" + "7c"                   // + mem[0]
            + "0b");

    private final Address alice = TestSupport.address("alice");
    private final Address bumper = TestSupport.address("bumper");
    private final Address token = TestSupport.address("token");
    private final InMemoryStateView state = new InMemoryStateView();

    ContextReuseTest() {
        state.deploy(bumper, BUMP);
        state.deploy(token, TestSupport.contract("token"));
    }

    private static WasmRuntime oneThread(int contextReuseCalls, Duration guard) {
        return new WasmRuntime(new WasmRuntime.Config(GasSchedule.V1, WasmLimits.DEFAULT, 4, guard, 1, 64L << 20, contextReuseCalls));
    }

    private CallResult bump(WasmRuntime rt, long gasLimit) {
        return rt.call(state, TestSupport.context(alice, bumper, Payload.AccessSet.EMPTY), "bump", Bytes.EMPTY, gasLimit);
    }

    @Test
    void everyCallOnAReusedContextSeesAFreshInstance() {
        try (WasmRuntime rt = oneThread(1_000, Duration.ofSeconds(30))) {
            List<CallResult> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(bump(rt, 1_000_000));
                // another module in between, on the same thread and context
                CallResult t = rt.call(state, TestSupport.context(alice, token, Payload.AccessSet.EMPTY), "init", Bytes.EMPTY, 1_000_000);
                assertThat(t.error()).contains(new ContractError.AccessViolation(Bytes.fromHex("6f"), "read"));
            }
            assertThat(results.get(0).success()).as("%s", results.get(0)).isTrue();
            assertThat(results.get(0).values()).containsExactly(1001L);
            assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(results.get(0)));
        }
    }

    @Test
    void contextsAreRenewedWithoutChangingResultsOrGas() {
        try (WasmRuntime renewing = oneThread(3, Duration.ofSeconds(30)); WasmRuntime keeping = oneThread(1_000, Duration.ofSeconds(30))) {
            CallResult reference = bump(keeping, 1_000_000);
            for (int i = 0; i < 10; i++) {
                assertThat(bump(renewing, 1_000_000)).isEqualTo(reference);
            }
            // a failed call (out of gas) leaves the context usable and the next call unaffected
            CallResult starved = bump(renewing, reference.gasUsed() - 1);
            assertThat(starved.error()).contains(new ContractError.OutOfGas(reference.gasUsed() - 1));
            assertThat(bump(renewing, 1_000_000)).isEqualTo(reference);
        }
    }

    @Test
    void aContextCancelledByTheWallClockGuardIsReplaced() {
        Address gas = TestSupport.address("gas");
        state.deploy(gas, TestSupport.testModule("gas"));
        try (WasmRuntime rt = oneThread(1_000, Duration.ofMillis(300))) {
            CallResult before = bump(rt, 1_000_000);
            // about 2^31 loop iterations with an unlimited budget: only the guard stops it
            assertThatThrownBy(() -> rt.call(state, TestSupport.context(alice, gas, Payload.AccessSet.EMPTY), "loop", Bytes.EMPTY,
                    Long.MAX_VALUE, Integer.MAX_VALUE)).isInstanceOf(WasmRuntimeFailure.class);
            assertThat(bump(rt, 1_000_000)).isEqualTo(before);
        }
    }
}
