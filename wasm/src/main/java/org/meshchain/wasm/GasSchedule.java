package org.meshchain.wasm;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The gas cost model (DESIGN 4): cost = txBase + Σ instruction weights + storageReadByte × bytes read
 * + storageWriteByte × bytes written + memoryGrowPage × pages grown + host-call costs. Versioned: any
 * change of a value is a protocol change and needs a new {@link #version()}.
 */
public record GasSchedule(
        int version,
        long txBase,
        long weightStructural,
        long weightSimple,
        long weightMul,
        long weightDiv,
        long weightLoad,
        long weightStore,
        long weightBranch,
        long weightBrTable,
        long weightCall,
        long weightCallIndirect,
        long weightMemorySize,
        long weightMemoryGrow,
        long memoryGrowPage,
        long hostCallBase,
        long inputByte,
        long returnByte,
        long storageReadBase,
        long storageReadByte,
        long storageWriteBase,
        long storageWriteByte,
        long storageDeleteBase,
        long balanceBase,
        long transferBase,
        long eventBase,
        long eventByte,
        long sha256Base,
        long sha256Byte,
        long ed25519Verify) {

    /** Version 1, loaded from the resource {@code gas-schedule-v1.properties}. */
    public static final GasSchedule V1 = loadResource("gas-schedule-v1.properties");

    public GasSchedule {
        long[] all = {txBase, weightStructural, weightSimple, weightMul, weightDiv, weightLoad, weightStore,
            weightBranch, weightBrTable, weightCall, weightCallIndirect, weightMemorySize, weightMemoryGrow,
            memoryGrowPage, hostCallBase, inputByte, returnByte, storageReadBase, storageReadByte,
            storageWriteBase, storageWriteByte, storageDeleteBase, balanceBase, transferBase, eventBase,
            eventByte, sha256Base, sha256Byte, ed25519Verify};
        for (long v : all) {
            // bounded so that per-region sums and page × weight products cannot overflow an i64
            if (v < 0 || v > 1_000_000_000L) {
                throw new IllegalArgumentException("gas weight out of range [0, 1e9]: " + v);
            }
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1");
        }
        if (weightBranch < 1) {
            throw new IllegalArgumentException("branch weight must be >= 1 so that every loop iteration costs gas");
        }
    }

    /** Weight of a single-byte opcode (validated: floats and unsupported opcodes never reach here). */
    long weight(int opcode) {
        return switch (opcode) {
            case 0x01, 0x02, 0x03, 0x05, 0x0B -> weightStructural; // nop block loop else end
            case 0x00, 0x04, 0x0C, 0x0D, 0x0F -> weightBranch; // unreachable if br br_if return
            case 0x0E -> weightBrTable;
            case 0x10 -> weightCall;
            case 0x11 -> weightCallIndirect;
            case 0x3F -> weightMemorySize;
            case 0x40 -> weightMemoryGrow;
            case 0x6C, 0x7E -> weightMul;
            case 0x6D, 0x6E, 0x6F, 0x70, 0x7F, 0x80, 0x81, 0x82 -> weightDiv;
            default -> {
                if (opcode >= 0x28 && opcode <= 0x35) {
                    yield weightLoad;
                }
                if (opcode >= 0x36 && opcode <= 0x3E) {
                    yield weightStore;
                }
                yield weightSimple;
            }
        };
    }

    public static GasSchedule fromProperties(Properties p) {
        return new GasSchedule(
                Integer.parseInt(req(p, "version")),
                num(p, "tx.base"), num(p, "weight.structural"), num(p, "weight.simple"), num(p, "weight.mul"),
                num(p, "weight.div"), num(p, "weight.load"), num(p, "weight.store"), num(p, "weight.branch"),
                num(p, "weight.br_table"), num(p, "weight.call"), num(p, "weight.call_indirect"),
                num(p, "weight.memory_size"), num(p, "weight.memory_grow"), num(p, "memory.grow.page"),
                num(p, "host.call.base"), num(p, "input.byte"), num(p, "return.byte"),
                num(p, "storage.read.base"), num(p, "storage.read.byte"), num(p, "storage.write.base"),
                num(p, "storage.write.byte"), num(p, "storage.delete.base"), num(p, "balance.base"),
                num(p, "transfer.base"), num(p, "event.base"), num(p, "event.byte"), num(p, "sha256.base"),
                num(p, "sha256.byte"), num(p, "ed25519.verify"));
    }

    private static String req(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("gas schedule is missing '" + key + "'");
        }
        return v.trim();
    }

    private static long num(Properties p, String key) {
        return Long.parseLong(req(p, key));
    }

    private static GasSchedule loadResource(String name) {
        try (InputStream in = GasSchedule.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            Properties p = new Properties();
            p.load(in);
            return fromProperties(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }
}
