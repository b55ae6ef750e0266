package org.meshchain.core.consensus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.types.Address;

/**
 * The validators from genesis, ordered by address (the round-robin order). n = 3f+1 is not
 * required, but f = (n-1)/3 and the quorum is n - f (= 2f+1 when n = 3f+1), by count.
 */
public final class ValidatorSet {

    private final List<Address> addresses;
    private final Map<Address, Ed25519PublicKey> keys;
    private final Map<Address, Integer> indexes;

    public ValidatorSet(List<Ed25519PublicKey> publicKeys) {
        if (publicKeys.isEmpty()) {
            throw new IllegalArgumentException("a validator set needs at least one validator");
        }
        Map<Address, Ed25519PublicKey> byAddress = new HashMap<>();
        for (Ed25519PublicKey key : publicKeys) {
            if (byAddress.put(Address.of(key), key) != null) {
                throw new IllegalArgumentException("duplicate validator key " + key.toHex());
            }
        }
        List<Address> sorted = new ArrayList<>(byAddress.keySet());
        Collections.sort(sorted);
        this.addresses = List.copyOf(sorted);
        this.keys = Map.copyOf(byAddress);
        Map<Address, Integer> idx = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            idx.put(sorted.get(i), i);
        }
        this.indexes = Map.copyOf(idx);
    }

    public int size() {
        return addresses.size();
    }

    /** The number of faulty validators tolerated. */
    public int maxFaulty() {
        return (addresses.size() - 1) / 3;
    }

    /** Signatures needed for a QC or TC: n - f. */
    public int quorum() {
        return addresses.size() - maxFaulty();
    }

    /** f + 1: at least one honest validator among that many. */
    public int weakQuorum() {
        return maxFaulty() + 1;
    }

    public boolean contains(Address address) {
        return keys.containsKey(address);
    }

    /** The key of a member, or null for a non-member. */
    public Ed25519PublicKey key(Address address) {
        return keys.get(address);
    }

    public Address get(int index) {
        return addresses.get(index);
    }

    /** Index in address order, or -1 for a non-member. */
    public int indexOf(Address address) {
        Integer i = indexes.get(address);
        return i == null ? -1 : i;
    }

    public List<Address> addresses() {
        return addresses;
    }
}
