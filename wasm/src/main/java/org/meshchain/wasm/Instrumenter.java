package org.meshchain.wasm;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a validated contract module so that it meters itself:
 * <ul>
 *   <li>a gas charge at the head of every metered region (basic block): function entry, after
 *       block/loop/if/else/end, after every branch, call and return. The charge is the sum of the weights of
 *       the region's instructions (including the instruction that ends it); if the remaining gas is smaller,
 *       the status global is set to OUT_OF_GAS and the code traps before executing any of the region;</li>
 *   <li>before {@code memory.grow}: a call to a helper that charges {@code memoryGrowPage × pages};</li>
 *   <li>a call-depth counter incremented at function entry and decremented at every exit; beyond the limit
 *       the status global is set to STACK_OVERFLOW and the code traps;</li>
 *   <li>memory maximum set to the 16 MiB cap when the module declares none; the start function is not run at
 *       instantiation but exported as {@value #START_EXPORT} and run metered by the runtime.</li>
 * </ul>
 * Gas and status live in exported mutable globals {@value #GAS_EXPORT} and {@value #STATUS_EXPORT}.
 */
final class Instrumenter {
    static final String GAS_EXPORT = "__meshchain_gas";
    static final String STATUS_EXPORT = "__meshchain_status";
    static final String START_EXPORT = "__meshchain_start";
    static final String MEMORY_EXPORT = "__meshchain_memory";
    static final int STATUS_OK = 0;
    static final int STATUS_OUT_OF_GAS = 1;
    static final int STATUS_STACK_OVERFLOW = 2;

    private final GasSchedule gas;
    private final WasmLimits limits;

    Instrumenter(GasSchedule gas, WasmLimits limits) {
        this.gas = gas;
        this.limits = limits;
    }

    byte[] instrument(ParsedModule m) {
        List<ParsedModule.FuncType> types = new ArrayList<>(m.types());
        int voidType = typeIndex(types, new ParsedModule.FuncType(new byte[0], new byte[0]));
        int growType = typeIndex(types, new ParsedModule.FuncType(new byte[] {ModuleParser.I32}, new byte[] {ModuleParser.I32}));
        int nGlobals = m.globals().size();
        int gasGlobal = nGlobals;
        int statusGlobal = nGlobals + 1;
        int depthGlobal = nGlobals + 2;
        int nFuncs = m.totalFunctions();
        int oogFunc = nFuncs;
        int overflowFunc = nFuncs + 1;
        int growFunc = nFuncs + 2;

        // instrument bodies first: multi-value wrapper blocks may add types
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < m.codeBodies().size(); i++) {
            int[] range = m.codeBodies().get(i);
            ParsedModule.FuncType ft = m.types().get(m.functionTypes()[i]);
            bodies.add(instrumentBody(m, types, ft, range[0], range[1], gasGlobal, depthGlobal, oogFunc, overflowFunc, growFunc));
        }

        WasmWriter out = new WasmWriter();
        out.bytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        WasmWriter ts = new WasmWriter().u32(types.size());
        for (ParsedModule.FuncType t : types) {
            ts.u8(0x60).u32(t.params().length).bytes(t.params()).u32(t.results().length).bytes(t.results());
        }
        out.section(1, ts);
        if (!m.imports().isEmpty()) {
            WasmWriter is = new WasmWriter().u32(m.imports().size());
            for (ParsedModule.Import im : m.imports()) {
                is.name(im.module()).name(im.name()).u8(0).u32(im.typeIndex());
            }
            out.section(2, is);
        }
        WasmWriter fs = new WasmWriter().u32(m.functionTypes().length + 3L);
        for (int t : m.functionTypes()) {
            fs.u32(t);
        }
        fs.u32(voidType).u32(voidType).u32(growType);
        out.section(3, fs);
        if (m.tableSection() != null) {
            out.u8(4).u32(m.tableSection().length).bytes(m.tableSection());
        }
        if (m.hasMemory()) {
            long max = m.memoryMaxPages() < 0 ? limits.maxMemoryPages() : m.memoryMaxPages();
            out.section(5, new WasmWriter().u32(1).u8(1).u32(m.memoryMinPages()).u32(max));
        }
        WasmWriter gs = new WasmWriter().u32(nGlobals + 3L);
        for (byte[] g : m.globals()) {
            gs.bytes(g);
        }
        gs.u8(ModuleParser.I64).u8(1).u8(0x42).s64(0).u8(0x0B); // gas
        gs.u8(ModuleParser.I32).u8(1).u8(0x41).s64(0).u8(0x0B); // status
        gs.u8(ModuleParser.I32).u8(1).u8(0x41).s64(0).u8(0x0B); // depth
        out.section(6, gs);
        boolean hasStart = m.startFunction() != ParsedModule.NO_START;
        WasmWriter es = new WasmWriter().u32(m.exports().size() + 2L + (hasStart ? 1 : 0) + (m.hasMemory() ? 1 : 0));
        for (ParsedModule.Export e : m.exports()) {
            es.name(e.name()).u8(e.kind()).u32(e.index());
        }
        es.name(GAS_EXPORT).u8(3).u32(gasGlobal);
        es.name(STATUS_EXPORT).u8(3).u32(statusGlobal);
        if (m.hasMemory()) {
            es.name(MEMORY_EXPORT).u8(2).u32(0);
        }
        if (hasStart) {
            es.name(START_EXPORT).u8(0).u32(m.startFunction());
        }
        out.section(7, es);
        if (m.elementSection() != null) {
            out.u8(9).u32(m.elementSection().length).bytes(m.elementSection());
        }
        if (m.dataCountSection() != null) {
            out.u8(12).u32(m.dataCountSection().length).bytes(m.dataCountSection());
        }
        WasmWriter cs = new WasmWriter().u32(bodies.size() + 3L);
        for (byte[] b : bodies) {
            cs.u32(b.length).bytes(b);
        }
        // oog helper: status = OUT_OF_GAS; unreachable
        appendBody(cs, new WasmWriter().u32(0).u8(0x41).s64(STATUS_OUT_OF_GAS).u8(0x24).u32(statusGlobal).u8(0x00).u8(0x0B));
        // overflow helper: status = STACK_OVERFLOW; unreachable
        appendBody(cs, new WasmWriter().u32(0).u8(0x41).s64(STATUS_STACK_OVERFLOW).u8(0x24).u32(statusGlobal).u8(0x00).u8(0x0B));
        // grow helper (param pages i32) (result i32) (local cost i64)
        WasmWriter grow = new WasmWriter().u32(1).u32(1).u8(ModuleParser.I64);
        grow.u8(0x20).u32(0).u8(0xAD).u8(0x42).s64(gas.memoryGrowPage()).u8(0x7E).u8(0x21).u32(1); // cost = u64(pages) * w
        grow.u8(0x23).u32(gasGlobal).u8(0x20).u32(1).u8(0x54).u8(0x04).u8(0x40).u8(0x10).u32(oogFunc).u8(0x0B);
        grow.u8(0x23).u32(gasGlobal).u8(0x20).u32(1).u8(0x7D).u8(0x24).u32(gasGlobal);
        grow.u8(0x20).u32(0).u8(0x0B);
        appendBody(cs, grow);
        out.section(10, cs);
        if (m.dataSection() != null) {
            out.u8(11).u32(m.dataSection().length).bytes(m.dataSection());
        }
        return out.toByteArray();
    }

    private static void appendBody(WasmWriter cs, WasmWriter body) {
        byte[] b = body.toByteArray();
        cs.u32(b.length).bytes(b);
    }

    private static int typeIndex(List<ParsedModule.FuncType> types, ParsedModule.FuncType t) {
        int i = types.indexOf(t);
        if (i >= 0) {
            return i;
        }
        types.add(t);
        return types.size() - 1;
    }

    private byte[] instrumentBody(ParsedModule m, List<ParsedModule.FuncType> types, ParsedModule.FuncType ft,
                                  int start, int end, int gasGlobal, int depthGlobal, int oogFunc, int overflowFunc,
                                  int growFunc) {
        WasmReader r = new WasmReader(m.bytes(), start, end);
        WasmWriter out = new WasmWriter();
        // locals: copied, validated
        int localsStart = r.pos();
        int groups = r.count(limits.maxLocalsPerFunction(), "local group count");
        long locals = ft.params().length;
        for (int i = 0; i < groups; i++) {
            locals += r.u32();
            if (locals > limits.maxLocalsPerFunction()) {
                throw WasmReader.invalid("function declares more than " + limits.maxLocalsPerFunction() + " locals");
            }
            ModuleParser.valType(r, "local");
        }
        out.bytes(m.bytes(), localsStart, r.pos() - localsStart);

        // prologue: depth += 1; if depth > limit: overflow
        out.u8(0x23).u32(depthGlobal).u8(0x41).s64(1).u8(0x6A).u8(0x24).u32(depthGlobal);
        out.u8(0x23).u32(depthGlobal).u8(0x41).s64(limits.maxCallDepth()).u8(0x4B).u8(0x04).u8(0x40)
                .u8(0x10).u32(overflowFunc).u8(0x0B);
        // wrapper block with the function's results, so that branches to the function label reach the epilogue
        out.u8(0x02);
        byte[] res = ft.results();
        if (res.length == 0) {
            out.u8(0x40);
        } else if (res.length == 1) {
            out.u8(res[0]);
        } else {
            out.s64(typeIndex(types, new ParsedModule.FuncType(new byte[0], res)));
        }

        WasmWriter region = new WasmWriter();
        long cost = 0;
        int depth = 1;
        while (true) {
            int op = r.u8();
            cost += gas.weight(op);
            boolean endsRegion = false;
            switch (op) {
                case 0x00, 0x0F -> { // unreachable, return
                    if (op == 0x0F) {
                        emitDepthDecrement(region, depthGlobal);
                    }
                    region.u8(op);
                    endsRegion = true;
                }
                case 0x01, 0x1A, 0x1B -> region.u8(op);
                case 0x02, 0x03, 0x04 -> {
                    depth++;
                    if (depth > limits.maxBlockDepth()) {
                        throw WasmReader.invalid("block nesting deeper than " + limits.maxBlockDepth());
                    }
                    region.u8(op);
                    copyBlockType(r, region, m.types().size());
                    endsRegion = true;
                }
                case 0x05 -> {
                    region.u8(op);
                    endsRegion = true;
                }
                case 0x0B -> {
                    depth--;
                    if (depth == 0) {
                        flush(out, region, cost, gasGlobal, oogFunc);
                        if (!r.atEnd()) {
                            throw WasmReader.invalid("function body has bytes after its final end");
                        }
                        out.u8(0x0B); // closes the wrapper block
                        emitDepthDecrement(out, depthGlobal);
                        out.u8(0x0B);
                        return out.toByteArray();
                    }
                    region.u8(op);
                    endsRegion = true;
                }
                case 0x0C, 0x0D -> {
                    region.u8(op).u32(label(r, depth));
                    endsRegion = true;
                }
                case 0x0E -> {
                    int n = r.count(limits.maxBrTableTargets(), "br_table size");
                    region.u8(op).u32(n);
                    for (int i = 0; i <= n; i++) {
                        region.u32(label(r, depth));
                    }
                    endsRegion = true;
                }
                case 0x10 -> {
                    region.u8(op).u32(r.count(m.totalFunctions() - 1L, "call target"));
                    endsRegion = true;
                }
                case 0x11 -> {
                    int t = r.count(m.types().size() - 1L, "call_indirect type index");
                    if (r.u8() != 0 || !m.hasTable()) {
                        throw WasmReader.invalid("call_indirect needs table 0");
                    }
                    region.u8(op).u32(t).u8(0);
                    endsRegion = true;
                }
                case 0x20, 0x21, 0x22 -> region.u8(op).u32(r.count(locals - 1, "local index"));
                case 0x23, 0x24 -> region.u8(op).u32(r.count(m.globals().size() - 1L, "global index"));
                case 0x3F, 0x40 -> {
                    if (r.u8() != 0 || !m.hasMemory()) {
                        throw WasmReader.invalid("memory instruction needs memory 0");
                    }
                    if (op == 0x40) {
                        region.u8(0x10).u32(growFunc);
                    }
                    region.u8(op).u8(0);
                }
                case 0x41 -> region.u8(op).s64(r.s32());
                case 0x42 -> region.u8(op).s64(r.s64());
                case 0x43, 0x44 -> throw WasmReader.invalid("floating point constant is not allowed (floats are rejected)");
                case 0xFC -> throw WasmReader.invalid("0xFC-prefixed instruction " + r.u32()
                        + " (saturating float truncation or bulk memory) is not supported");
                case 0xFD -> throw WasmReader.invalid("SIMD instructions are not allowed");
                default -> {
                    if (op >= 0x28 && op <= 0x3E) {
                        if (op == 0x2A || op == 0x2B || op == 0x38 || op == 0x39) {
                            throw WasmReader.invalid("floating point load/store is not allowed (floats are rejected)");
                        }
                        if (!m.hasMemory()) {
                            throw WasmReader.invalid("memory access without a memory");
                        }
                        region.u8(op).u32(r.count(31, "alignment")).u32(r.u32());
                    } else if (isIntegerNumeric(op)) {
                        region.u8(op);
                    } else if (isFloatNumeric(op)) {
                        throw WasmReader.invalid("floating point instruction 0x" + Integer.toHexString(op)
                                + " is not allowed (floats are rejected)");
                    } else {
                        throw WasmReader.invalid("unsupported opcode 0x" + Integer.toHexString(op));
                    }
                }
            }
            if (endsRegion) {
                flush(out, region, cost, gasGlobal, oogFunc);
                region = new WasmWriter();
                cost = 0;
            }
        }
    }

    private static int label(WasmReader r, int depth) {
        return r.count(depth - 1L, "branch depth");
    }

    private static void copyBlockType(WasmReader r, WasmWriter out, int typeCount) {
        int b = r.peek();
        if (b == 0x40 || b == 0x7F || b == 0x7E) {
            out.u8(r.u8());
            return;
        }
        if (b == 0x7D || b == 0x7C) {
            throw WasmReader.invalid("floating point block type is not allowed (floats are rejected)");
        }
        long idx = r.s33();
        if (idx < 0 || idx >= typeCount) {
            throw WasmReader.invalid("bad block type " + idx);
        }
        out.s64(idx);
    }

    /** Emits the charge for a region, then the region's instructions. */
    private static void flush(WasmWriter out, WasmWriter region, long cost, int gasGlobal, int oogFunc) {
        if (cost > 0) {
            out.u8(0x23).u32(gasGlobal).u8(0x42).s64(cost).u8(0x54).u8(0x04).u8(0x40).u8(0x10).u32(oogFunc).u8(0x0B);
            out.u8(0x23).u32(gasGlobal).u8(0x42).s64(cost).u8(0x7D).u8(0x24).u32(gasGlobal);
        }
        out.bytes(region.toByteArray());
    }

    private static void emitDepthDecrement(WasmWriter out, int depthGlobal) {
        out.u8(0x23).u32(depthGlobal).u8(0x41).s64(1).u8(0x6B).u8(0x24).u32(depthGlobal);
    }

    private static boolean isIntegerNumeric(int op) {
        return (op >= 0x45 && op <= 0x5A) || (op >= 0x67 && op <= 0x8A) || op == 0xA7 || op == 0xAC || op == 0xAD
                || (op >= 0xC0 && op <= 0xC4);
    }

    private static boolean isFloatNumeric(int op) {
        return (op >= 0x5B && op <= 0x66) || (op >= 0x8B && op <= 0xBF);
    }
}
