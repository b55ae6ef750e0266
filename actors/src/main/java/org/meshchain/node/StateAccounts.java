package org.meshchain.node;

import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.mempool.AccountReader;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.types.Address;
import org.meshchain.persistence.state.StateStore;

/** Committed accounts for the mempool's admission checks: one flat lookup at the head per account. */
final class StateAccounts implements AccountReader {

    private final StateStore state;

    StateAccounts(StateStore state) {
        this.state = state;
    }

    AccountState account(Address address) {
        return Ledger.account(state::valueAtHead, address);
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
