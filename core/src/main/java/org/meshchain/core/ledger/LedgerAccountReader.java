package org.meshchain.core.ledger;

import java.util.Objects;
import org.meshchain.core.mempool.AccountReader;
import org.meshchain.core.types.Address;

/** The mempool's {@link AccountReader} over a state (normally the committed head's flat values). */
public final class LedgerAccountReader implements AccountReader {

    private final StateReader state;

    public LedgerAccountReader(StateReader state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    @Override
    public long nextNonce(Address account) {
        return Ledger.account(state, account).nextNonce();
    }

    @Override
    public long balance(Address account) {
        return Ledger.account(state, account).balance();
    }
}
