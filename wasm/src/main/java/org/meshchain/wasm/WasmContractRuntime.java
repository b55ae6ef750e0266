package org.meshchain.wasm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.ledger.ContractRuntime;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.LedgerEvent;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;

/**
 * The ledger's {@link ContractRuntime} port on GraalWasm: maps the host API's view (contract code,
 * contract storage, balances) onto the ledger's state paths — code at {@link StatePaths#contract} →
 * code hash → {@link StatePaths#code}, storage at {@link StatePaths#storage}, a balance as the
 * {@link AccountState#balance()} at {@link StatePaths#account} (the declared access key
 * {@code "$bal" || address} names that account path, see {@link AccessKeys}).
 *
 * <p>{@link WasmRuntimeFailure} (a fault of the engine, not of the contract) propagates unchanged.
 */
public final class WasmContractRuntime implements ContractRuntime {

    private final WasmRuntime runtime;

    public WasmContractRuntime(WasmRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    public WasmRuntime runtime() {
        return runtime;
    }

    @Override
    public Optional<ContractError> validate(Bytes code) {
        try {
            runtime.deploy(code);
            return Optional.empty();
        } catch (ContractException e) {
            return Optional.of(e.error());
        }
    }

    @Override
    public Outcome call(Invocation call, ContractState state) {
        ExecutionContext ctx = new ExecutionContext(call.blockHeight(), call.blockTimestampMillis(), call.caller(),
                call.contract(), call.accessSet());
        CallResult result = runtime.call(new LedgerStateView(state), ctx, call.function(), call.args(), call.gasLimit());
        List<LedgerEvent> events = new ArrayList<>(result.events().size());
        for (ContractEvent e : result.events()) {
            events.add(new LedgerEvent(e.contract(), e.topic(), e.data()));
        }
        return new Outcome(result.error(), result.gasUsed(), result.returnData(), events);
    }

    /** The runtime's state view over ledger paths. */
    record LedgerStateView(ContractState state) implements StateView {

        @Override
        public Optional<Bytes> contractCode(Address contract) {
            Optional<Bytes> codeHash = state.get(StatePaths.contract(contract));
            if (codeHash.isEmpty()) {
                return Optional.empty();
            }
            return state.getImmutable(StatePaths.code(Hash32.of(codeHash.get().toByteArray())));
        }

        @Override
        public Optional<Bytes> storageGet(Address contract, Bytes key) {
            return state.get(StatePaths.storage(contract, key));
        }

        @Override
        public void storagePut(Address contract, Bytes key, Bytes value) {
            state.put(StatePaths.storage(contract, key), value);
        }

        @Override
        public boolean storageDelete(Address contract, Bytes key) {
            Hash32 path = StatePaths.storage(contract, key);
            boolean existed = state.get(path).isPresent();
            state.delete(path);
            return existed;
        }

        @Override
        public long balance(Address account) {
            return account(account).balance();
        }

        @Override
        public void setBalance(Address account, long balance) {
            AccountState current = account(account);
            state.put(StatePaths.account(account), new AccountState(balance, current.locked(), current.nextNonce()).encode());
        }

        private AccountState account(Address address) {
            return Ledger.account(state::get, address);
        }
    }
}
