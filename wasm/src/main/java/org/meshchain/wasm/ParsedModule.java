package org.meshchain.wasm;

import java.util.Arrays;
import java.util.List;

/** A strictly parsed contract module: the pieces the instrumenter needs, plus the raw bytes they came from. */
record ParsedModule(
        byte[] bytes,
        List<FuncType> types,
        List<Import> imports,
        int[] functionTypes,
        byte[] tableSection,
        boolean hasTable,
        boolean hasMemory,
        long memoryMinPages,
        long memoryMaxPages,
        List<byte[]> globals,
        List<Export> exports,
        int startFunction,
        byte[] elementSection,
        byte[] dataCountSection,
        byte[] dataSection,
        List<int[]> codeBodies) {

    static final int NO_START = -1;

    record FuncType(byte[] params, byte[] results) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FuncType f && Arrays.equals(params, f.params) && Arrays.equals(results, f.results);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(params) + Arrays.hashCode(results);
        }

        @Override
        public String toString() {
            return sig(params) + "->" + sig(results);
        }

        private static String sig(byte[] types) {
            StringBuilder sb = new StringBuilder("(");
            for (byte t : types) {
                sb.append(sb.length() > 1 ? "," : "").append(t == ModuleParser.I32 ? "i32" : "i64");
            }
            return sb.append(')').toString();
        }
    }

    record Import(String module, String name, int typeIndex) {}

    record Export(String name, int kind, int index) {}

    int importedFunctions() {
        return imports.size();
    }

    int totalFunctions() {
        return imports.size() + functionTypes.length;
    }

    FuncType functionType(int functionIndex) {
        int t = functionIndex < imports.size()
                ? imports.get(functionIndex).typeIndex()
                : functionTypes[functionIndex - imports.size()];
        return types.get(t);
    }
}
