package org.meshchain.wasm;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;

/** A real, map-backed {@link StateView} for tests. */
final class InMemoryStateView implements StateView {
    private record Key(Address contract, Bytes key) {}

    private final Map<Address, Bytes> code = new HashMap<>();
    private final Map<Key, Bytes> storage = new HashMap<>();
    private final Map<Address, Long> balances = new HashMap<>();

    void deploy(Address contract, Bytes wasm) {
        code.put(contract, wasm);
    }

    @Override
    public Optional<Bytes> contractCode(Address contract) {
        return Optional.ofNullable(code.get(contract));
    }

    @Override
    public Optional<Bytes> storageGet(Address contract, Bytes key) {
        return Optional.ofNullable(storage.get(new Key(contract, key)));
    }

    @Override
    public void storagePut(Address contract, Bytes key, Bytes value) {
        storage.put(new Key(contract, key), value);
    }

    @Override
    public boolean storageDelete(Address contract, Bytes key) {
        return storage.remove(new Key(contract, key)) != null;
    }

    @Override
    public long balance(Address account) {
        return balances.getOrDefault(account, 0L);
    }

    @Override
    public void setBalance(Address account, long balance) {
        balances.put(account, balance);
    }

    int storageSize() {
        return storage.size();
    }
}
