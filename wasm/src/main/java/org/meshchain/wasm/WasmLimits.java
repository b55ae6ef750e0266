package org.meshchain.wasm;

/**
 * Deploy-time bounds on a contract module and the deterministic call-depth limit. Part of the protocol:
 * every validator must use the same values.
 */
public record WasmLimits(
        int maxModuleBytes,
        int maxInitialMemoryPages,
        int maxMemoryPages,
        int maxTypes,
        int maxFunctions,
        int maxGlobals,
        int maxTableEntries,
        int maxExports,
        int maxDataSegments,
        int maxElementSegments,
        int maxLocalsPerFunction,
        int maxParams,
        int maxResults,
        int maxBrTableTargets,
        int maxBlockDepth,
        int maxCallDepth) {

    /** 64 KiB pages: 256 pages = 16 MiB. */
    public static final int PAGE_BYTES = 65536;

    public static final WasmLimits DEFAULT = new WasmLimits(
            512 * 1024, 32, 256, 512, 4096, 512, 4096, 512, 1024, 256, 4096, 32, 8, 16384, 512, 512);

    public WasmLimits {
        if (maxMemoryPages > 256) {
            throw new IllegalArgumentException("linear memory is capped at 16 MiB (256 pages)");
        }
        if (maxInitialMemoryPages > maxMemoryPages || maxCallDepth < 1 || maxModuleBytes < 8) {
            throw new IllegalArgumentException("inconsistent limits");
        }
    }
}
