package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

class HostApiTest {
    private static final WasmRuntime RT = TestSupport.RUNTIME;
    private final InMemoryStateView state = new InMemoryStateView();
    private final Address self = TestSupport.address("host-contract");
    private final Address alice = TestSupport.address("alice");
    private final Address bob = TestSupport.address("bob");

    HostApiTest() {
        state.deploy(self, TestSupport.testModule("host"));
    }

    private CallResult call(Payload.AccessSet access, String fn, Bytes input, long... args) {
        return RT.call(state, new ExecutionContext(12345, 1_700_000_000_999L, alice, self, access), fn, input, 10_000_000, args);
    }

    @Test
    void blockContextComesFromTheExecutionContext() {
        assertThat(call(Payload.AccessSet.EMPTY, "height", Bytes.EMPTY).values()).containsExactly(12345L);
        assertThat(call(Payload.AccessSet.EMPTY, "timestamp", Bytes.EMPTY).values()).containsExactly(1_700_000_000_999L);
        CallResult who = RT.call(state, new ExecutionContext(1, 2, bob, self, Payload.AccessSet.EMPTY), "who", Bytes.EMPTY, 1_000_000);
        assertThat(who.returnData().toHex()).isEqualTo(bob.toHex() + self.toHex());
    }

    @Test
    void storageRoundTripWithinTheDeclaredAccessSet() {
        Bytes key = Bytes.fromHex("6b6579");
        Payload.AccessSet rw = TestSupport.access(List.of(), List.of(key));
        assertThat(call(rw, "get", key).values()).containsExactly(-1L);
        assertThat(call(rw, "put", key).success()).isTrue();
        assertThat(state.storageGet(self, key)).contains(key);
        CallResult get = call(TestSupport.access(List.of(key), List.of()), "get", key);
        assertThat(get.values()).containsExactly(3L);
        assertThat(get.returnData()).isEqualTo(key);
        assertThat(call(rw, "del", key).values()).containsExactly(1L);
        assertThat(state.storageGet(self, key)).isEmpty();
        assertThat(call(rw, "del", key).values()).containsExactly(0L);
    }

    @Test
    void undeclaredKeysAreAccessViolationsAndLeaveStateUnchanged() {
        Bytes key = Bytes.fromHex("6b6579");
        Bytes other = Bytes.fromHex("6f74686572");
        CallResult r = call(TestSupport.access(List.of(other), List.of()), "get", key);
        assertThat(r.error()).contains(new ContractError.AccessViolation(key, "read"));
        assertThat(r.gasUsed()).isGreaterThan(2000).isLessThan(10_000_000);
        CallResult w = call(TestSupport.access(List.of(key), List.of()), "put", key); // read-only declaration
        assertThat(w.error()).contains(new ContractError.AccessViolation(key, "write"));
        assertThat(state.storageSize()).isZero();
        CallResult d = call(TestSupport.access(List.of(key), List.of()), "del", key);
        assertThat(d.error()).contains(new ContractError.AccessViolation(key, "delete"));
    }

    @Test
    void failedCallsDiscardWritesAndEvents() {
        Bytes w = Bytes.fromHex("77");
        CallResult r = call(TestSupport.access(List.of(), List.of(w)), "write_then_trap", Bytes.EMPTY);
        assertThat(r.error().get()).isInstanceOf(ContractError.Trap.class);
        assertThat(state.storageSize()).isZero();
        CallResult ok = call(Payload.AccessSet.EMPTY, "emit", Bytes.fromHex("0102"), 0);
        assertThat(ok.events()).containsExactly(new ContractEvent(self, Bytes.fromHex("74"), Bytes.fromHex("0102")));
        CallResult aborted = call(Payload.AccessSet.EMPTY, "emit", Bytes.fromHex("0102"), 1);
        assertThat(aborted.error()).contains(new ContractError.Aborted("boom"));
        assertThat(aborted.events()).isEmpty();
    }

    @Test
    void balancesAndTransfers() {
        state.setBalance(self, 1000);
        Bytes bobBytes = Bytes.of(bob.hash().toByteArray());
        Payload.AccessSet pay = TestSupport.access(List.of(), List.of(AccessKeys.balance(self), AccessKeys.balance(bob)));
        assertThat(call(pay, "pay", bobBytes, 300).values()).containsExactly(0L);
        assertThat(state.balance(self)).isEqualTo(700);
        assertThat(state.balance(bob)).isEqualTo(300);
        assertThat(call(pay, "pay", bobBytes, 701).values()).containsExactly(1L); // insufficient
        assertThat(call(pay, "pay", bobBytes, -1).values()).containsExactly(2L);
        assertThat(state.balance(self)).isEqualTo(700);
        CallResult undeclared = call(TestSupport.access(List.of(), List.of(AccessKeys.balance(self))), "pay", bobBytes, 1);
        assertThat(undeclared.error()).contains(new ContractError.AccessViolation(AccessKeys.balance(bob), "transfer"));
        assertThat(call(TestSupport.access(List.of(AccessKeys.balance(bob)), List.of()), "bal", bobBytes).values())
                .containsExactly(300L);
        assertThat(call(Payload.AccessSet.EMPTY, "bal", bobBytes).error())
                .contains(new ContractError.AccessViolation(AccessKeys.balance(bob), "balance"));
    }

    @Test
    void cryptoFunctions() {
        Bytes data = Bytes.of("hello meshchain".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(call(Payload.AccessSet.EMPTY, "hash", data).returnData().toHex())
                .isEqualTo(Hashing.sha256(data.toByteArray()).toHex());
        Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(Hashing.sha256(new byte[] {7}).toByteArray());
        byte[] msg = "device report 7".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] sig = Ed25519.sign(key, msg).toByteArray();
        byte[] input = concat(key.publicKey().toByteArray(), sig, msg);
        assertThat(call(Payload.AccessSet.EMPTY, "verify", Bytes.of(input)).values()).containsExactly(1L);
        input[input.length - 1] ^= 1;
        assertThat(call(Payload.AccessSet.EMPTY, "verify", Bytes.of(input)).values()).containsExactly(0L);
    }

    @Test
    void hostMemoryAccessesAreBoundsChecked() {
        assertThat(call(Payload.AccessSet.EMPTY, "bad_ptr", Bytes.EMPTY).error().get())
                .isInstanceOf(ContractError.Trap.class).asString().contains("out of bounds");
        assertThat(call(Payload.AccessSet.EMPTY, "bad_out", Bytes.EMPTY).error().get())
                .isInstanceOf(ContractError.Trap.class).asString().contains("out of bounds");
    }

    @Test
    void unknownFunctionsAndMissingContracts() {
        assertThat(call(Payload.AccessSet.EMPTY, "nope", Bytes.EMPTY).error()).contains(new ContractError.FunctionNotFound("nope"));
        assertThat(call(Payload.AccessSet.EMPTY, "__meshchain_gas", Bytes.EMPTY).error())
                .contains(new ContractError.FunctionNotFound("__meshchain_gas"));
        CallResult none = RT.call(state, new ExecutionContext(1, 1, alice, bob, Payload.AccessSet.EMPTY), "x", Bytes.EMPTY, 5000);
        assertThat(none.error()).contains(new ContractError.NoContract(bob.toHex()));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
