package org.meshchain.wasm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;

/** Collects a call's writes over a base view; {@link #commit()} applies them in order, dropping discards them. */
final class BufferedStateView implements StateView {
    private record StorageKey(Address contract, Bytes key) {}

    private final StateView base;
    /** value, or null for a deletion. */
    private final Map<StorageKey, Bytes> storage = new LinkedHashMap<>();
    private final Map<Address, Long> balances = new LinkedHashMap<>();

    BufferedStateView(StateView base) {
        this.base = base;
    }

    @Override
    public Optional<Bytes> contractCode(Address contract) {
        return base.contractCode(contract);
    }

    @Override
    public Optional<Bytes> storageGet(Address contract, Bytes key) {
        StorageKey k = new StorageKey(contract, key);
        if (storage.containsKey(k)) {
            return Optional.ofNullable(storage.get(k));
        }
        return base.storageGet(contract, key);
    }

    @Override
    public void storagePut(Address contract, Bytes key, Bytes value) {
        storage.put(new StorageKey(contract, key), value);
    }

    @Override
    public boolean storageDelete(Address contract, Bytes key) {
        boolean existed = storageGet(contract, key).isPresent();
        storage.put(new StorageKey(contract, key), null);
        return existed;
    }

    @Override
    public long balance(Address account) {
        Long b = balances.get(account);
        return b != null ? b : base.balance(account);
    }

    @Override
    public void setBalance(Address account, long balance) {
        balances.put(account, balance);
    }

    void commit() {
        for (var e : storage.entrySet()) {
            if (e.getValue() == null) {
                base.storageDelete(e.getKey().contract(), e.getKey().key());
            } else {
                base.storagePut(e.getKey().contract(), e.getKey().key(), e.getValue());
            }
        }
        for (var e : balances.entrySet()) {
            base.setBalance(e.getKey(), e.getValue());
        }
    }
}
