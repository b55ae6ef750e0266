package org.meshchain.node.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.state.UtxoValue;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.merkle.SmtUpdate;

/**
 * Genesis state as ordinary state updates: funded accounts (nonce 0, nothing locked) and unspent outputs.
 * Genesis is the only source of UTXOs besides spends, so genesis output {@code i} is
 * {@code UtxoRef(GENESIS_UTXO_TX, i)}.
 */
public final class GenesisState {

    /** The transaction id that genesis outputs are referenced by: {@code H("GenesisUtxos", "")}. */
    public static final Hash32 GENESIS_UTXO_TX = Hashing.tagged("GenesisUtxos", new byte[0]);

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
        return updates(allocations, List.of());
    }

    /** Accounts and unspent outputs ({@code outputs.get(i)} is {@code UtxoRef(GENESIS_UTXO_TX, i)}), sorted by path. */
    public static List<SmtUpdate> updates(List<Allocation> allocations, List<Payload.UtxoOutput> outputs) {
        SortedMap<Hash32, SmtUpdate> byPath = new TreeMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            Hash32 path = StatePaths.utxo(new Payload.UtxoRef(GENESIS_UTXO_TX, i));
            byPath.put(path, SmtUpdate.put(path, UtxoValue.encode(outputs.get(i))));
        }
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
