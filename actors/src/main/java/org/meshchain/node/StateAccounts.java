package org.meshchain.node;

import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.mempool.AccountReader;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.persistence.state.StateStore;

/** Committed accounts for the mempool's admission checks: one flat lookup at the head per account. */
final class StateAccounts implements AccountReader {

    private final StateStore state;

    StateAccounts(StateStore state) {
        this.state = state;
    }

    AccountState account(Address address) {
        Optional<Bytes> value = state.valueAtHead(StatePaths.account(address));
        if (value.isEmpty()) {
            return AccountState.EMPTY;
        }
        try {
            return AccountState.decode(value.get());
        } catch (DecodeException e) {
            throw new IllegalStateException("committed account " + address + " does not decode: " + e.getMessage(), e);
        }
    }

    @Override
    public long nextNonce(Address account) {
        return account(account).nextNonce();
    }

    @Override
    public long balance(Address account) {
        return account(account).balance();
    }
}
