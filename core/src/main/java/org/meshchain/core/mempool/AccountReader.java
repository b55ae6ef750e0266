package org.meshchain.core.mempool;

import org.meshchain.core.types.Address;

/** The committed account state the pool checks admissions against (next nonce and balance). */
public interface AccountReader {

    /** The nonce the account's next transaction must carry (0 for an unknown account). */
    long nextNonce(Address account);

    /** The spendable balance at the committed head (0 for an unknown account). */
    long balance(Address account);
}
