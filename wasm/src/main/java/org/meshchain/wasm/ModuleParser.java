package org.meshchain.wasm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Strict parser of the WebAssembly binary format that enforces the MeshChain contract rules: imports only
 * from the host API with exact signatures, no floating point (types, locals, globals, opcodes), no SIMD,
 * no reference types or bulk memory, at most one memory of at most 16 MiB, bounded counts everywhere.
 * Every rejection is a {@code ContractError.InvalidBytecode} naming the reason. Stack typing is checked
 * afterwards by GraalWasm's validator on the instrumented module.
 */
final class ModuleParser {
    static final byte I32 = 0x7F;
    static final byte I64 = 0x7E;
    static final String RESERVED_PREFIX = "__meshchain";
    private static final int MAX_NAME = 256;

    private final WasmLimits limits;

    ModuleParser(WasmLimits limits) {
        this.limits = limits;
    }

    ParsedModule parse(byte[] bytes) {
        if (bytes.length > limits.maxModuleBytes()) {
            throw WasmReader.invalid("module size " + bytes.length + " exceeds limit " + limits.maxModuleBytes());
        }
        if (bytes.length < 8 || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm') {
            throw WasmReader.invalid("bad magic number");
        }
        if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
            throw WasmReader.invalid("unsupported binary version");
        }
        WasmReader r = new WasmReader(bytes, 8, bytes.length);
        List<ParsedModule.FuncType> types = new ArrayList<>();
        List<ParsedModule.Import> imports = new ArrayList<>();
        int[] functionTypes = new int[0];
        byte[] tableSection = null;
        boolean hasTable = false;
        boolean hasMemory = false;
        long memMin = 0;
        long memMax = -1;
        List<byte[]> globals = new ArrayList<>();
        List<ParsedModule.Export> exports = new ArrayList<>();
        int start = ParsedModule.NO_START;
        byte[] elementSection = null;
        byte[] dataCountSection = null;
        byte[] dataSection = null;
        List<int[]> bodies = new ArrayList<>();
        boolean sawCode = false;
        int lastOrder = 0;
        while (!r.atEnd()) {
            int id = r.u8();
            int size = r.count(Integer.MAX_VALUE, "section size");
            int sectionStart = r.pos();
            if (size > r.end() - sectionStart) {
                throw WasmReader.invalid("section " + id + " overruns the module");
            }
            int sectionEnd = sectionStart + size;
            WasmReader s = new WasmReader(bytes, sectionStart, sectionEnd);
            if (id != 0) {
                int order = order(id);
                if (order <= lastOrder) {
                    throw WasmReader.invalid("section " + id + " out of order or duplicated");
                }
                lastOrder = order;
            }
            switch (id) {
                case 0 -> s.name(MAX_NAME); // custom section: name checked, content ignored and dropped
                case 1 -> {
                    int n = s.count(limits.maxTypes(), "type count");
                    for (int i = 0; i < n; i++) {
                        if (s.u8() != 0x60) {
                            throw WasmReader.invalid("type " + i + " is not a function type");
                        }
                        byte[] params = valTypes(s, limits.maxParams(), "parameter");
                        byte[] results = valTypes(s, limits.maxResults(), "result");
                        types.add(new ParsedModule.FuncType(params, results));
                    }
                }
                case 2 -> {
                    int n = s.count(HostApi.FUNCTIONS.size(), "import count");
                    Set<String> seen = new HashSet<>();
                    for (int i = 0; i < n; i++) {
                        String module = s.name(MAX_NAME);
                        String name = s.name(MAX_NAME);
                        int kind = s.u8();
                        if (kind != 0) {
                            throw WasmReader.invalid("import " + module + "." + name
                                    + ": only host functions may be imported (no imported table, memory or global)");
                        }
                        int typeIndex = s.count(types.size() - 1L, "import type index");
                        if (!module.equals(HostApi.MODULE) || !HostApi.FUNCTIONS.containsKey(name)) {
                            throw WasmReader.invalid("import " + module + "." + name + " is not part of the MeshChain host API");
                        }
                        ParsedModule.FuncType expected = HostApi.FUNCTIONS.get(name);
                        if (!expected.equals(types.get(typeIndex))) {
                            throw WasmReader.invalid("import " + module + "." + name + " has signature "
                                    + types.get(typeIndex) + ", expected " + expected);
                        }
                        if (!seen.add(name)) {
                            throw WasmReader.invalid("import " + module + "." + name + " is imported twice");
                        }
                        imports.add(new ParsedModule.Import(module, name, typeIndex));
                    }
                }
                case 3 -> {
                    int n = s.count(limits.maxFunctions() - (long) imports.size(), "function count");
                    functionTypes = new int[n];
                    for (int i = 0; i < n; i++) {
                        functionTypes[i] = s.count(types.size() - 1L, "function type index");
                    }
                }
                case 4 -> {
                    int n = s.count(1, "table count");
                    for (int i = 0; i < n; i++) {
                        int refType = s.u8();
                        if (refType != 0x70) {
                            throw WasmReader.invalid("table element type must be funcref");
                        }
                        long[] lim = limits(s, limits.maxTableEntries(), "table");
                        if (lim[1] < 0) {
                            throw WasmReader.invalid("table must declare a maximum size");
                        }
                    }
                    hasTable = n == 1;
                    tableSection = slice(bytes, sectionStart, sectionEnd);
                }
                case 5 -> {
                    int n = s.count(1, "memory count");
                    if (n == 1) {
                        long[] lim = limits(s, limits.maxMemoryPages(), "memory");
                        if (lim[0] > limits.maxInitialMemoryPages()) {
                            throw WasmReader.invalid("initial memory of " + lim[0] + " pages exceeds limit "
                                    + limits.maxInitialMemoryPages());
                        }
                        hasMemory = true;
                        memMin = lim[0];
                        memMax = lim[1];
                    }
                }
                case 6 -> {
                    int n = s.count(limits.maxGlobals(), "global count");
                    for (int i = 0; i < n; i++) {
                        int gstart = s.pos();
                        byte t = valType(s, "global");
                        int mut = s.u8();
                        if (mut > 1) {
                            throw WasmReader.invalid("bad global mutability flag " + mut);
                        }
                        constExpr(s, t);
                        globals.add(slice(bytes, gstart, s.pos()));
                    }
                }
                case 7 -> {
                    int n = s.count(limits.maxExports(), "export count");
                    Set<String> names = new HashSet<>();
                    for (int i = 0; i < n; i++) {
                        String name = s.name(MAX_NAME);
                        int kind = s.u8();
                        int index = s.count(Integer.MAX_VALUE, "export index");
                        if (name.startsWith(RESERVED_PREFIX)) {
                            throw WasmReader.invalid("export name " + name + " uses the reserved prefix " + RESERVED_PREFIX);
                        }
                        if (!names.add(name)) {
                            throw WasmReader.invalid("duplicate export " + name);
                        }
                        long bound = switch (kind) {
                            case 0 -> imports.size() + (long) functionTypes.length;
                            case 1 -> hasTable ? 1 : 0;
                            case 2 -> hasMemory ? 1 : 0;
                            case 3 -> globals.size();
                            default -> throw WasmReader.invalid("bad export kind " + kind);
                        };
                        if (index >= bound) {
                            throw WasmReader.invalid("export " + name + " refers to a missing item " + index);
                        }
                        exports.add(new ParsedModule.Export(name, kind, index));
                    }
                }
                case 8 -> {
                    start = s.count(imports.size() + (long) functionTypes.length - 1, "start function index");
                    ParsedModule.FuncType t = start < imports.size()
                            ? types.get(imports.get(start).typeIndex()) : types.get(functionTypes[start - imports.size()]);
                    if (t.params().length != 0 || t.results().length != 0) {
                        throw WasmReader.invalid("start function must have type ()->()");
                    }
                }
                case 9 -> {
                    int n = s.count(limits.maxElementSegments(), "element segment count");
                    long total = 0;
                    for (int i = 0; i < n; i++) {
                        int flags = s.count(7, "element segment flags");
                        if (flags != 0) {
                            throw WasmReader.invalid("element segment kind " + flags + " needs reference types or bulk memory, which are not supported");
                        }
                        if (!hasTable) {
                            throw WasmReader.invalid("element segment without a table");
                        }
                        constExpr(s, I32);
                        int m = s.count(limits.maxTableEntries(), "element segment length");
                        total += m;
                        if (total > limits.maxTableEntries()) {
                            throw WasmReader.invalid("element segments exceed the table entry limit " + limits.maxTableEntries());
                        }
                        for (int j = 0; j < m; j++) {
                            s.count(imports.size() + (long) functionTypes.length - 1, "element function index");
                        }
                    }
                    elementSection = slice(bytes, sectionStart, sectionEnd);
                }
                case 12 -> {
                    s.count(limits.maxDataSegments(), "data count");
                    dataCountSection = slice(bytes, sectionStart, sectionEnd);
                }
                case 10 -> {
                    sawCode = true;
                    int n = s.count(limits.maxFunctions(), "code entry count");
                    if (n != functionTypes.length) {
                        throw WasmReader.invalid("function and code section counts differ");
                    }
                    for (int i = 0; i < n; i++) {
                        int bodySize = s.count(Integer.MAX_VALUE, "function body size");
                        int bodyStart = s.pos();
                        s.skip(bodySize);
                        bodies.add(new int[] {bodyStart, bodyStart + bodySize});
                    }
                }
                case 11 -> {
                    int n = s.count(limits.maxDataSegments(), "data segment count");
                    for (int i = 0; i < n; i++) {
                        int flags = s.count(2, "data segment flags");
                        if (flags == 1) {
                            throw WasmReader.invalid("passive data segments need bulk memory, which is not supported");
                        }
                        if (flags == 2 && s.count(0, "data segment memory index") != 0) {
                            throw WasmReader.invalid("data segment memory index must be 0");
                        }
                        if (!hasMemory) {
                            throw WasmReader.invalid("data segment without a memory");
                        }
                        constExpr(s, I32);
                        int len = s.count(Integer.MAX_VALUE, "data segment length");
                        s.skip(len);
                    }
                    dataSection = slice(bytes, sectionStart, sectionEnd);
                }
                default -> throw WasmReader.invalid("unknown section id " + id);
            }
            if (!s.atEnd()) {
                throw WasmReader.invalid("section " + id + " has trailing bytes");
            }
            r.skip(size);
        }
        if (!sawCode && functionTypes.length > 0) {
            throw WasmReader.invalid("function section without code section");
        }
        return new ParsedModule(bytes, List.copyOf(types), List.copyOf(imports), functionTypes, tableSection, hasTable,
                hasMemory, memMin, memMax, List.copyOf(globals), List.copyOf(exports), start, elementSection,
                dataCountSection, dataSection, List.copyOf(bodies));
    }

    private static int order(int id) {
        return switch (id) {
            case 1, 2, 3, 4, 5, 6, 7, 8, 9 -> id;
            case 12 -> 10; // data count sits between element and code
            case 10 -> 11;
            case 11 -> 12;
            default -> throw WasmReader.invalid("unknown section id " + id);
        };
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    static byte valType(WasmReader s, String what) {
        int t = s.u8();
        return switch (t) {
            case 0x7F, 0x7E -> (byte) t;
            case 0x7D, 0x7C -> throw WasmReader.invalid("floating point " + what + " type is not allowed (floats are rejected)");
            case 0x7B -> throw WasmReader.invalid("SIMD " + what + " type is not allowed");
            case 0x70, 0x6F -> throw WasmReader.invalid("reference " + what + " type is not allowed");
            default -> throw WasmReader.invalid("unknown " + what + " value type 0x" + Integer.toHexString(t));
        };
    }

    private static byte[] valTypes(WasmReader s, int max, String what) {
        int n = s.count(max, what + " count");
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = valType(s, what);
        }
        return out;
    }

    /** Returns {min, max or -1}. */
    private static long[] limits(WasmReader s, long cap, String what) {
        int flag = s.u8();
        if (flag > 1) {
            throw WasmReader.invalid(what + " limits flag " + flag + " (shared or 64-bit) is not supported");
        }
        long min = s.u32();
        long max = flag == 1 ? s.u32() : -1;
        if (min > cap || max > cap) {
            throw WasmReader.invalid(what + " declares " + Math.max(min, max) + (what.equals("memory") ? " pages" : " entries")
                    + ", more than the limit " + cap + (what.equals("memory") ? " pages (16 MiB)" : ""));
        }
        if (max >= 0 && max < min) {
            throw WasmReader.invalid(what + " maximum below minimum");
        }
        return new long[] {min, max};
    }

    /** Constant expressions: a single i32.const or i64.const of the expected type, then end. */
    private static void constExpr(WasmReader s, byte type) {
        int op = s.u8();
        if (op == 0x41 && type == I32) {
            s.s32();
        } else if (op == 0x42 && type == I64) {
            s.s64();
        } else if (op == 0x43 || op == 0x44) {
            throw WasmReader.invalid("floating point constant is not allowed (floats are rejected)");
        } else {
            throw WasmReader.invalid("unsupported constant expression opcode 0x" + Integer.toHexString(op));
        }
        if (s.u8() != 0x0B) {
            throw WasmReader.invalid("constant expression must be a single constant");
        }
    }
}
