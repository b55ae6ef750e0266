package org.meshchain.node.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.merkle.SmtUpdate;

/** Genesis state as ordinary state updates: funded accounts (nonce 0, nothing locked). */
public final class GenesisState {

    private GenesisState() {}

    public record Allocation(Address account, long balance) {
        public Allocation {
            Objects.requireNonNull(account, "account");
            if (balance < 0) {
                throw new IllegalArgumentException("genesis balance of " + account + " must be non-negative, got " + balance);
            }
        }
    }

    /** The updates (sorted by path, as {@code StateStore.stage} wants) that create the allocations. */
    public static List<SmtUpdate> updates(List<Allocation> allocations) {
        SortedMap<Hash32, SmtUpdate> byPath = new TreeMap<>();
        for (Allocation a : allocations) {
            Hash32 path = StatePaths.account(a.account());
            SmtUpdate previous = byPath.put(path, SmtUpdate.put(path, new AccountState(a.balance(), 0, 0).encode()));
            if (previous != null) {
                throw new IllegalArgumentException("genesis allocates account " + a.account() + " twice");
            }
        }
        return new ArrayList<>(byPath.values());
    }
}
