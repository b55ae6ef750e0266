package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/** The example contracts end to end through the runtime with an in-memory state view. */
class ContractsTest {
    private static final WasmRuntime RT = TestSupport.RUNTIME;
    private final InMemoryStateView state = new InMemoryStateView();
    private final Address alice = TestSupport.address("alice");
    private final Address bob = TestSupport.address("bob");

    private static Bytes key(char prefix, Address a) {
        byte[] k = new byte[33];
        k[0] = (byte) prefix;
        a.hash().copyTo(k, 1);
        return Bytes.of(k);
    }

    private static Bytes addrAmount(Address a, long amount) {
        return Bytes.of(ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).put(a.hash().toByteArray()).putLong(amount).array());
    }

    private static long u64(Bytes b) {
        return ByteBuffer.wrap(b.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void fungibleToken() {
        Address token = TestSupport.address("token");
        state.deploy(token, TestSupport.contract("token"));
        Bytes owner = Bytes.fromHex("6f");
        Payload.AccessSet all = TestSupport.access(List.of(), List.of(owner, key('b', alice), key('b', bob)));
        CallResult init = RT.call(state, TestSupport.context(alice, token, all), "init", Bytes.EMPTY, 1_000_000);
        assertThat(init.success()).as("%s", init).isTrue();
        assertThat(RT.call(state, TestSupport.context(bob, token, all), "init", Bytes.EMPTY, 1_000_000).error())
                .contains(new ContractError.Aborted("already initialised"));

        CallResult mint = RT.call(state, TestSupport.context(alice, token, all), "mint", addrAmount(alice, 1000), 1_000_000);
        assertThat(mint.success()).as("%s", mint).isTrue();
        assertThat(mint.events()).hasSize(1);
        assertThat(mint.events().get(0).topic()).isEqualTo(Bytes.of("mint".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(RT.call(state, TestSupport.context(bob, token, all), "mint", addrAmount(bob, 5), 1_000_000).error())
                .contains(new ContractError.Aborted("not owner"));

        CallResult t = RT.call(state, TestSupport.context(alice, token, all), "transfer", addrAmount(bob, 250), 1_000_000);
        assertThat(t.success()).as("%s", t).isTrue();
        assertThat(t.events().get(0).data().length()).isEqualTo(72);
        assertThat(RT.call(state, TestSupport.context(bob, token, all), "transfer", addrAmount(alice, 251), 1_000_000).error())
                .contains(new ContractError.Aborted("insufficient balance"));

        Payload.AccessSet readBob = TestSupport.access(List.of(key('b', bob)), List.of());
        CallResult bal = RT.call(state, TestSupport.context(bob, token, readBob), "balance_of", Bytes.of(bob.hash().toByteArray()), 1_000_000);
        assertThat(u64(bal.returnData())).isEqualTo(250);
        assertThat(u64(state.storageGet(token, key('b', alice)).orElseThrow())).isEqualTo(750);

        // transfer to an address outside the declared set: access violation, nothing changes
        Address carol = TestSupport.address("carol");
        CallResult v = RT.call(state, TestSupport.context(alice, token, all), "transfer", addrAmount(carol, 1), 1_000_000);
        assertThat(v.error()).contains(new ContractError.AccessViolation(key('b', carol), "read"));
        assertThat(u64(state.storageGet(token, key('b', alice)).orElseThrow())).isEqualTo(750);
        assertThat(RT.call(state, TestSupport.context(alice, token, all), "mint", Bytes.fromHex("00"), 1_000_000).error())
                .contains(new ContractError.Aborted("bad input"));
    }

    @Test
    void deviceRegistry() {
        Address registry = TestSupport.address("registry");
        state.deploy(registry, TestSupport.contract("registry"));
        Address device = TestSupport.address("device-17");
        Payload.AccessSet access = TestSupport.access(List.of(), List.of(key('d', device), key('n', device)));
        byte[] reading = "temp=21.5C".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Bytes input = Bytes.of(ByteBuffer.allocate(32 + reading.length).put(device.hash().toByteArray()).put(reading).array());
        ExecutionContext ctx = new ExecutionContext(5, 1_700_000_123_456L, device, registry, access);
        CallResult r = RT.call(state, ctx, "record", input, 1_000_000);
        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.events()).hasSize(1);
        CallResult latest = RT.call(state, ctx, "latest", Bytes.of(device.hash().toByteArray()), 1_000_000);
        byte[] out = latest.returnData().toByteArray();
        assertThat(ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(1_700_000_123_456L);
        assertThat(java.util.Arrays.copyOfRange(out, 8, out.length)).isEqualTo(reading);
        RT.call(state, new ExecutionContext(6, 1_700_000_200_000L, device, registry, access), "record", input, 1_000_000);
        assertThat(u64(RT.call(state, ctx, "count", Bytes.of(device.hash().toByteArray()), 1_000_000).returnData())).isEqualTo(2);
        // another account cannot record for the device
        CallResult spoof = RT.call(state, new ExecutionContext(7, 1, alice, registry, access), "record", input, 1_000_000);
        assertThat(spoof.error()).contains(new ContractError.Aborted("not the device"));
        Address other = TestSupport.address("device-18");
        CallResult none = RT.call(state, TestSupport.context(alice, registry, TestSupport.access(List.of(key('d', other)), List.of())),
                "latest", Bytes.of(other.hash().toByteArray()), 1_000_000);
        assertThat(none.error()).contains(new ContractError.Aborted("no reading"));
    }

    @Test
    void computeContractAndCaching() {
        Address c = TestSupport.address("compute");
        state.deploy(c, TestSupport.contract("compute"));
        CallResult a = RT.call(state, TestSupport.context(alice, c, Payload.AccessSet.EMPTY), "run", Bytes.EMPTY, 100_000_000, 10_000);
        CallResult b = RT.call(state, TestSupport.context(alice, c, Payload.AccessSet.EMPTY), "run", Bytes.EMPTY, 100_000_000, 10_000);
        assertThat(a).isEqualTo(b);
        assertThat(a.gasUsed()).isGreaterThan(2000 + 10_000L * 20);
        assertThat(RT.cachedModules()).isBetween(1, RT.config().moduleCacheSize());
    }

    @Test
    void moduleCacheIsBounded() {
        try (WasmRuntime small = new WasmRuntime(new WasmRuntime.Config(GasSchedule.V1, WasmLimits.DEFAULT, 2,
                java.time.Duration.ofSeconds(30), 1, 64L << 20))) {
            for (String m : new String[] {"token", "registry", "compute", "tiny"}) {
                small.deploy(TestSupport.contract(m));
            }
            assertThat(small.cachedModules()).isEqualTo(2);
            // an evicted module is prepared again on its next call
            Address t = TestSupport.address("tiny");
            state.deploy(t, TestSupport.contract("token"));
            CallResult r = small.call(state, TestSupport.context(alice, t, Payload.AccessSet.EMPTY), "init", Bytes.EMPTY, 1_000_000);
            assertThat(r.error()).contains(new ContractError.AccessViolation(Bytes.fromHex("6f"), "read"));
        }
    }
}
