package org.meshchain.wasm;

/**
 * The runtime itself failed (wall-clock guard, JVM stack exhausted, internal GraalWasm error). Never a
 * transaction result: the node must treat it as a local fault, not as the outcome of the call.
 */
public final class WasmRuntimeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WasmRuntimeFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
