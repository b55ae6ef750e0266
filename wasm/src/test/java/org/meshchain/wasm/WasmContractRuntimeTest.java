package org.meshchain.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.ledger.ContractRuntime;
import org.meshchain.core.ledger.StateBuffer;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/** The ledger port on the real runtime: contract code, storage and balances live at the ledger's state paths. */
class WasmContractRuntimeTest {

    private final WasmContractRuntime runtime = new WasmContractRuntime(TestSupport.RUNTIME);
    private final Address contract = TestSupport.address("contract");
    private final Address caller = TestSupport.address("caller");
    private final Map<Hash32, Bytes> committed = new HashMap<>();

    WasmContractRuntimeTest() {
        Bytes code = TestSupport.testModule("host");
        Hash32 hash = WasmRuntime.codeHash(code);
        committed.put(StatePaths.contract(contract), Bytes.of(hash.toByteArray()));
        committed.put(StatePaths.code(hash), code);
    }

    private StateBuffer state() {
        return StateBuffer.over(p -> Optional.ofNullable(committed.get(p)));
    }

    private ContractRuntime.Outcome call(StateBuffer state, String function, Bytes input, Payload.AccessSet access) {
        return runtime.call(new ContractRuntime.Invocation(7, 1_000, caller, contract, function, input, 1_000_000, access), state);
    }

    private static Bytes balanceKey(Address a) {
        return AccessKeys.balance(a);
    }

    @Test
    void storageWritesAndDeletesLandAtTheLedgerStoragePath() {
        Bytes key = Bytes.of("slot".getBytes(StandardCharsets.US_ASCII));
        StateBuffer state = state();
        ContractRuntime.Outcome put = call(state, "put", key, new Payload.AccessSet(List.of(), List.of(key)));
        assertThat(put.error()).isEmpty();
        assertThat(state.get(StatePaths.storage(contract, key))).contains(key);

        committed.put(StatePaths.storage(contract, key), key);
        StateBuffer later = state();
        ContractRuntime.Outcome del = call(later, "del", key, new Payload.AccessSet(List.of(), List.of(key)));
        assertThat(del.error()).isEmpty();
        assertThat(later.writes()).containsEntry(StatePaths.storage(contract, key), Optional.empty());
    }

    @Test
    void balancesAreTheAccountStateBalanceAndNeedTheDeclaredBalanceKey() {
        Address holder = TestSupport.address("holder");
        committed.put(StatePaths.account(holder), new AccountState(4_321, 99, 3).encode());
        Bytes input = Bytes.of(holder.hash().toByteArray());
        ContractRuntime.Outcome bal = call(state(), "bal", input, new Payload.AccessSet(List.of(balanceKey(holder)), List.of()));
        assertThat(bal.error()).isEmpty();
        // the numeric result is not part of the ledger outcome: read it through the adapter's view directly
        CallResult direct = TestSupport.RUNTIME.call(new WasmContractRuntime.LedgerStateView(state()),
                TestSupport.context(caller, contract, new Payload.AccessSet(List.of(balanceKey(holder)), List.of())),
                "bal", input, 1_000_000);
        assertThat(direct.values()).containsExactly(4_321L);

        committed.put(StatePaths.account(contract), new AccountState(1_000, 0, 0).encode());
        StateBuffer paid = state();
        CallResult pay = TestSupport.RUNTIME.call(new WasmContractRuntime.LedgerStateView(paid),
                TestSupport.context(caller, contract, new Payload.AccessSet(List.of(),
                        List.of(balanceKey(contract), balanceKey(holder)).stream().sorted().toList())),
                "pay", input, 1_000_000, 300);
        assertThat(pay.values()).containsExactly(0L);
        assertThat(paid.get(StatePaths.account(holder))).contains(new AccountState(4_621, 99, 3).encode());
        assertThat(paid.get(StatePaths.account(contract))).contains(new AccountState(700, 0, 0).encode());

        ContractRuntime.Outcome undeclared = call(state(), "bal", input, Payload.AccessSet.EMPTY);
        assertThat(undeclared.error()).containsInstanceOf(ContractError.AccessViolation.class);
        assertThat(((ContractError.AccessViolation) undeclared.error().orElseThrow()).key()).isEqualTo(balanceKey(holder));
    }

    @Test
    void aFailedCallLeavesTheLedgerBufferUntouched() {
        StateBuffer state = state();
        ContractRuntime.Outcome trapped = call(state, "write_then_trap", Bytes.EMPTY,
                new Payload.AccessSet(List.of(), List.of(Bytes.of(new byte[] {0x77}))));
        assertThat(trapped.error()).isPresent();
        assertThat(trapped.gasUsed()).isPositive();
        assertThat(state.writes()).isEmpty();
    }

    @Test
    void invalidCodeIsReportedAndAnAddressWithoutCodeIsNoContract() {
        assertThat(runtime.validate(Bytes.of(new byte[] {0, 'a', 's', 'm', 9, 0, 0, 0})))
                .containsInstanceOf(ContractError.InvalidBytecode.class);
        assertThat(runtime.validate(TestSupport.contract("token"))).isEmpty();
        ContractRuntime.Outcome none = runtime.call(new ContractRuntime.Invocation(1, 1, caller, TestSupport.address("nobody"), "get",
                Bytes.EMPTY, 1_000_000, Payload.AccessSet.EMPTY), state());
        assertThat(none.error()).containsInstanceOf(ContractError.NoContract.class);
    }
}
