package org.meshchain.core.state;

import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.types.Payload;

/**
 * An account's value at {@link StatePaths#account}: spendable balance, collateral locked by device
 * registrations, and the nonce its next transaction must carry. Canonical encoding: u64 balance,
 * u64 locked, u64 nextNonce (all at most {@link Long#MAX_VALUE}).
 */
public record AccountState(long balance, long locked, long nextNonce) {

    public static final AccountState EMPTY = new AccountState(0, 0, 0);

    public AccountState {
        Payload.requireAmount("balance", balance);
        Payload.requireAmount("locked", locked);
        Payload.requireAmount("nextNonce", nextNonce);
    }

    public Bytes encode() {
        return Bytes.of(new CanonicalWriter(24).u64(balance).u64(locked).u64(nextNonce).toByteArray());
    }

    public static AccountState decode(Bytes encoded) throws DecodeException {
        CanonicalReader r = new CanonicalReader(encoded.toByteArray());
        long balance = r.u63("balance");
        long locked = r.u63("locked");
        long nextNonce = r.u63("nextNonce");
        r.finish("account");
        return new AccountState(balance, locked, nextNonce);
    }
}
