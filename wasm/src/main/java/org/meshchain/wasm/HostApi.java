package org.meshchain.wasm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The MeshChain host API: the only functions a contract may import, all from module {@value #MODULE}. */
final class HostApi {
    static final String MODULE = "meshchain";
    private static final byte I32 = ModuleParser.I32;
    private static final byte I64 = ModuleParser.I64;

    /** name → exact signature. */
    static final Map<String, ParsedModule.FuncType> FUNCTIONS;

    static {
        Map<String, ParsedModule.FuncType> m = new LinkedHashMap<>();
        m.put("input_size", sig(new byte[] {}, I32));
        m.put("input_copy", sig(new byte[] {I32}));
        m.put("set_return", sig(new byte[] {I32, I32}));
        m.put("storage_read", sig(new byte[] {I32, I32, I32, I32}, I32));
        m.put("storage_write", sig(new byte[] {I32, I32, I32, I32}));
        m.put("storage_delete", sig(new byte[] {I32, I32}, I32));
        m.put("balance", sig(new byte[] {I32}, I64));
        m.put("transfer", sig(new byte[] {I32, I64}, I32));
        m.put("block_height", sig(new byte[] {}, I64));
        m.put("block_timestamp", sig(new byte[] {}, I64));
        m.put("caller", sig(new byte[] {I32}));
        m.put("self_address", sig(new byte[] {I32}));
        m.put("emit_event", sig(new byte[] {I32, I32, I32, I32}));
        m.put("sha256", sig(new byte[] {I32, I32, I32}));
        m.put("ed25519_verify", sig(new byte[] {I32, I32, I32, I32}, I32));
        m.put("abort", sig(new byte[] {I32, I32}));
        FUNCTIONS = Collections.unmodifiableMap(m);
    }

    private static ParsedModule.FuncType sig(byte[] params, byte... results) {
        return new ParsedModule.FuncType(params, results);
    }

    private HostApi() {}
}
