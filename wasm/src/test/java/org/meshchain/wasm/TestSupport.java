package org.meshchain.wasm;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

final class TestSupport {
    /** One runtime (one engine) for the whole test JVM, as in the node. */
    static final WasmRuntime RUNTIME = new WasmRuntime();

    private TestSupport() {}

    static Bytes testModule(String name) {
        return resource("/wat/" + name + ".wasm");
    }

    static Bytes contract(String name) {
        return resource("/org/meshchain/wasm/contracts/" + name + ".wasm");
    }

    static Bytes resource(String path) {
        try (InputStream in = TestSupport.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return Bytes.of(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Address address(String seed) {
        return new Address(Hashing.sha256(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static ExecutionContext context(Address caller, Address self, Payload.AccessSet access) {
        return new ExecutionContext(77, 1_700_000_000_123L, caller, self, access);
    }

    static Payload.AccessSet access(List<Bytes> reads, List<Bytes> writes) {
        return new Payload.AccessSet(reads.stream().sorted().distinct().toList(), writes.stream().sorted().distinct().toList());
    }
}
