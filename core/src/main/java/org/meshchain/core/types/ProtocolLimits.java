package org.meshchain.core.types;

/**
 * Size limits enforced while decoding anything that comes from outside (DESIGN 9).
 * Part of the protocol: every node must use the same values for blocks and transactions.
 */
public record ProtocolLimits(
        int maxTransactionBytes,
        int maxWasmBytes,
        int maxCallArgsBytes,
        int maxFunctionNameBytes,
        int maxAccessSetKeys,
        int maxStateKeyBytes,
        int maxUtxoInputs,
        int maxUtxoOutputs,
        int maxReportDataBytes,
        int maxBlockTransactions,
        int maxBlockBytes,
        int maxValidators) {

    /** Defaults chosen so that a 1 KiB MQTT frame holds any non-deploy device transaction. */
    public static final ProtocolLimits DEFAULT = new ProtocolLimits(
            512 * 1024,      // a transaction (deploy carries the module)
            256 * 1024,      // a WASM module
            16 * 1024,       // call arguments
            64,              // function name
            256,             // keys per read or write set
            128,             // one state key
            64,              // UTXO inputs
            64,              // UTXO outputs
            512,             // device report payload
            10_000,          // transactions per block
            16 * 1024 * 1024, // encoded block
            256);            // validators (signatures per certificate)

    public ProtocolLimits {
        int[] all = {maxTransactionBytes, maxWasmBytes, maxCallArgsBytes, maxFunctionNameBytes, maxAccessSetKeys,
                maxStateKeyBytes, maxUtxoInputs, maxUtxoOutputs, maxReportDataBytes, maxBlockTransactions,
                maxBlockBytes, maxValidators};
        for (int limit : all) {
            if (limit <= 0) {
                throw new IllegalArgumentException("every protocol limit must be positive: " + java.util.Arrays.toString(all));
            }
        }
    }
}
