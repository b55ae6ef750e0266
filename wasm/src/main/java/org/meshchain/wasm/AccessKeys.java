package org.meshchain.wasm;

import java.nio.charset.StandardCharsets;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;

/**
 * How a call's declared access set names what a contract touches: a contract storage key is declared as
 * itself (contract-relative); an account balance as {@code "$bal" || address}. Storage keys starting with
 * {@code '$'} are reserved and rejected.
 *
 * <p>Ledger alignment (ADR 0022): a declared key maps to a state path with
 * {@code org.meshchain.core.execution.AccessSets#pathOfDeclared}: {@code "$bal" || address} names the whole
 * account at {@code StatePaths.account(address)} (balance, locked, nonce — the ledger writes the account as
 * one value), any other key the called contract's slot {@code StatePaths.storage(contract, key)}. The
 * scheduler detects conflicts on those paths.
 */
public final class AccessKeys {
    static final byte RESERVED_PREFIX = '$';
    private static final byte[] BALANCE = "$bal".getBytes(StandardCharsets.US_ASCII);

    private AccessKeys() {}

    public static Bytes storage(Bytes key) {
        return key;
    }

    public static Bytes balance(Address account) {
        byte[] out = new byte[BALANCE.length + 32];
        System.arraycopy(BALANCE, 0, out, 0, BALANCE.length);
        account.hash().copyTo(out, BALANCE.length);
        return Bytes.of(out);
    }
}
