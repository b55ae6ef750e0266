package org.meshchain.wasm;

import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;

/**
 * What a contract call sees of the chain state: contract code, contract storage and account balances.
 * The storage layer implements it over the committed state plus block overlays; the runtime wraps it in a
 * {@link BufferedStateView} so that a failed call leaves it unchanged.
 */
public interface StateView {

    /** The deployed (original, uninstrumented) code of {@code contract}, if any. */
    Optional<Bytes> contractCode(Address contract);

    Optional<Bytes> storageGet(Address contract, Bytes key);

    void storagePut(Address contract, Bytes key, Bytes value);

    /** Returns whether the key existed. */
    boolean storageDelete(Address contract, Bytes key);

    long balance(Address account);

    void setBalance(Address account, long balance);
}
