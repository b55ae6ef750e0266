package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitRuntimeTest {
    @Test
    void testsRunOnTheOptimizingTruffleRuntime() {
        WasmRuntime rt = TestSupport.RUNTIME;
        assertThat(rt.isOptimizing())
                .as("GraalWasm must use the Graal JIT (got %s); check surefire.argLine in wasm/pom.xml", rt.runtimeDescription())
                .isTrue();
        assertThat(rt.runtimeDescription()).contains("optimizing").doesNotContain("Interpreted");
    }
}
