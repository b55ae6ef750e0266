package org.meshchain.core.execution;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.StateBuffer;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

/**
 * The state paths a transaction may read and write, known before it runs (DESIGN 4): declared for
 * contract calls, derived for every other payload. The sender's account (fee payer, nonce) is always
 * written. Content-addressed code ({@link StatePaths#code}) is read outside the set: it is write-once
 * and a call reaches it only through {@link StatePaths#contract}, which is in the set.
 *
 * <p>Declared contract keys map to paths as the wasm host checks them: {@code "$bal" || address}
 * (36 bytes) is the account at {@link StatePaths#account}; any other key is the called contract's
 * storage slot {@link StatePaths#storage}.
 */
public final class AccessSets {

    private static final byte[] BALANCE_PREFIX = "$bal".getBytes(StandardCharsets.US_ASCII);

    private AccessSets() {}

    /** Access set of one transaction, as state paths. Writes are also readable. */
    public record TxAccess(Set<Hash32> reads, Set<Hash32> writes) {
        public TxAccess {
            reads = Set.copyOf(reads);
            writes = Set.copyOf(writes);
        }

        public StateBuffer.AccessGuard guard() {
            return new StateBuffer.AccessGuard(reads, writes);
        }
    }

    public static TxAccess of(SignedTransaction tx) {
        TransactionBody body = tx.body();
        Set<Hash32> reads = new HashSet<>();
        Set<Hash32> writes = new HashSet<>();
        writes.add(StatePaths.account(body.sender()));
        switch (body.payload()) {
            case Payload.Transfer t -> writes.add(StatePaths.account(t.to()));
            case Payload.UtxoSpend s -> {
                for (Payload.UtxoRef in : s.inputs()) {
                    writes.add(StatePaths.utxo(in));
                }
                Hash32 txId = tx.id();
                for (int i = 0; i < s.outputs().size(); i++) {
                    writes.add(StatePaths.utxo(new Payload.UtxoRef(txId, i)));
                }
            }
            case Payload.Deploy d -> {
                writes.add(StatePaths.contract(Ledger.contractAddress(body.sender(), body.nonce())));
                writes.add(StatePaths.code(Hashing.sha256(d.wasm().toByteArray())));
            }
            case Payload.Call c -> {
                reads.add(StatePaths.contract(c.contract()));
                for (Bytes key : c.accessSet().reads()) {
                    reads.add(pathOfDeclared(c.contract(), key));
                }
                for (Bytes key : c.accessSet().writes()) {
                    writes.add(pathOfDeclared(c.contract(), key));
                }
            }
            case Payload.RegisterDevice r -> {
                writes.add(StatePaths.device(Address.of(r.deviceKey())));
                writes.add(StatePaths.account(r.owner()));
            }
            case Payload.DeviceReport r -> writes.add(StatePaths.device(r.device()));
        }
        return new TxAccess(reads, writes);
    }

    /** The state path a declared contract access key names. */
    public static Hash32 pathOfDeclared(Address contract, Bytes key) {
        byte[] k = key.toByteArray();
        if (k.length == BALANCE_PREFIX.length + 32 && Arrays.equals(k, 0, BALANCE_PREFIX.length, BALANCE_PREFIX, 0, BALANCE_PREFIX.length)) {
            return StatePaths.account(new Address(Hash32.of(Arrays.copyOfRange(k, BALANCE_PREFIX.length, k.length))));
        }
        return StatePaths.storage(contract, key);
    }

    /** DESIGN 4: a and b conflict iff W(a) ∩ (W(b) ∪ R(b)) ≠ ∅ or W(b) ∩ R(a) ≠ ∅. */
    public static boolean conflict(TxAccess a, TxAccess b) {
        for (Hash32 w : a.writes()) {
            if (b.writes().contains(w) || b.reads().contains(w)) {
                return true;
            }
        }
        for (Hash32 w : b.writes()) {
            if (a.reads().contains(w)) {
                return true;
            }
        }
        return false;
    }
}
