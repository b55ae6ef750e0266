package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.error.ContractError;

class ValidationTest {
    private static final WasmRuntime RT = TestSupport.RUNTIME;

    private static String rejection(Bytes code) {
        ContractException e = catchThrowableOfType(ContractException.class, () -> RT.deploy(code));
        assertThat(e).as("module must be rejected").isNotNull();
        assertThat(e.error()).isInstanceOf(ContractError.InvalidBytecode.class);
        return ((ContractError.InvalidBytecode) e.error()).reason();
    }

    @ParameterizedTest
    @CsvSource({
        "float_op, floating point",
        "float_param, floating point parameter",
        "float_global, floating point global",
        "float_local, floating point local",
        "import_env, env.clock is not part of the MeshChain host API",
        "import_sig, expected ()->(i64)",
        "import_memory, only host functions may be imported",
        "memory_big, more than the limit 256 pages (16 MiB)",
        "memory_initial, more than the limit 256 pages",
        "reserved_export, reserved prefix",
        "bulk, bulk memory",
    })
    void rejectsWithANamedReason(String module, String reason) {
        assertThat(rejection(TestSupport.testModule(module))).contains(reason);
    }

    @Test
    void acceptsTheExampleContractsAndTestModules() {
        for (String c : new String[] {"token", "registry", "compute", "tiny"}) {
            assertThatCode(() -> RT.deploy(TestSupport.contract(c))).doesNotThrowAnyException();
        }
        for (String m : new String[] {"control", "gas", "host", "start"}) {
            assertThatCode(() -> RT.deploy(TestSupport.testModule(m))).doesNotThrowAnyException();
        }
    }

    @Test
    void rejectsOversizedModules() {
        byte[] big = new byte[WasmLimits.DEFAULT.maxModuleBytes() + 1];
        byte[] tiny = TestSupport.contract("tiny").toByteArray();
        System.arraycopy(tiny, 0, big, 0, tiny.length);
        assertThat(rejection(Bytes.of(big))).contains("module size").contains("exceeds limit");
    }

    @Test
    void rejectsGarbageAndTruncation() {
        assertThat(rejection(Bytes.fromHex("0061736d02000000"))).contains("version");
        assertThat(rejection(Bytes.fromHex("deadbeef01000000"))).contains("magic");
        byte[] token = TestSupport.contract("token").toByteArray();
        byte[] cut = java.util.Arrays.copyOf(token, token.length - 5);
        assertThat(rejection(Bytes.of(cut))).isNotBlank();
    }

    /** Builds a module with n mutable i32 globals. */
    private static Bytes globals(int n) {
        WasmWriter gs = new WasmWriter().u32(n);
        for (int i = 0; i < n; i++) {
            gs.u8(0x7F).u8(1).u8(0x41).s64(i).u8(0x0B);
        }
        return Bytes.of(new WasmWriter().bytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}).section(6, gs).toByteArray());
    }

    private static Bytes functions(int n) {
        WasmWriter types = new WasmWriter().u32(1).u8(0x60).u32(0).u32(0);
        WasmWriter fs = new WasmWriter().u32(n);
        WasmWriter cs = new WasmWriter().u32(n);
        for (int i = 0; i < n; i++) {
            fs.u32(0);
            cs.u32(2).u8(0).u8(0x0B);
        }
        return Bytes.of(new WasmWriter().bytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0})
                .section(1, types).section(3, fs).section(10, cs).toByteArray());
    }

    private static Bytes table(int entries) {
        WasmWriter ts = new WasmWriter().u32(1).u8(0x70).u8(1).u32(entries).u32(entries);
        return Bytes.of(new WasmWriter().bytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}).section(4, ts).toByteArray());
    }

    @Test
    void boundsCountsOfGlobalsFunctionsAndTableEntries() {
        WasmLimits l = WasmLimits.DEFAULT;
        assertThatCode(() -> RT.deploy(globals(l.maxGlobals()))).doesNotThrowAnyException();
        assertThat(rejection(globals(l.maxGlobals() + 1))).contains("global count");
        assertThatCode(() -> RT.deploy(functions(100))).doesNotThrowAnyException();
        assertThat(rejection(functions(l.maxFunctions() + 1))).contains("function count");
        assertThatCode(() -> RT.deploy(table(l.maxTableEntries()))).doesNotThrowAnyException();
        assertThat(rejection(table(l.maxTableEntries() + 1))).contains("table declares");
    }

    @Test
    void stackTypingErrorsAreCaughtByTheValidator() {
        // (func (result i32) i64.const 1) : type mismatch, structurally fine
        WasmWriter types = new WasmWriter().u32(1).u8(0x60).u32(0).u32(1).u8(0x7F);
        WasmWriter fs = new WasmWriter().u32(1).u32(0);
        WasmWriter cs = new WasmWriter().u32(1).u32(4).u8(0).u8(0x42).u8(1).u8(0x0B);
        Bytes m = Bytes.of(new WasmWriter().bytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0})
                .section(1, types).section(3, fs).section(10, cs).toByteArray());
        assertThat(rejection(m)).contains("validator");
    }
}
