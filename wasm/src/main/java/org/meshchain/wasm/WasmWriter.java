package org.meshchain.wasm;

import java.io.ByteArrayOutputStream;

/** Emits the WebAssembly binary encoding. */
final class WasmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    WasmWriter u8(int b) {
        out.write(b);
        return this;
    }

    WasmWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    WasmWriter bytes(byte[] b, int off, int len) {
        out.write(b, off, len);
        return this;
    }

    WasmWriter u32(long v) {
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            if (v != 0) {
                b |= 0x80;
            }
            out.write(b);
        } while (v != 0);
        return this;
    }

    WasmWriter s64(long v) {
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) {
                return this;
            }
        }
    }

    WasmWriter name(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        u32(b.length);
        return bytes(b);
    }

    WasmWriter section(int id, WasmWriter content) {
        byte[] c = content.toByteArray();
        u8(id);
        u32(c.length);
        return bytes(c);
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
