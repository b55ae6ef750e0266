package org.meshchain.core.consensus.sim;

import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

/** Deterministic validator keys and a small pool of real signed transactions, made once per JVM. */
final class SimKeys {

    static final ChainId CHAIN = new ChainId("sim-chain");
    static final int MAX_VALIDATORS = 10;
    static final List<Ed25519PrivateKey> KEYS;
    static final List<SignedTransaction> TRANSACTIONS;
    static final Hash32 GENESIS_ID = Hashing.tagged("SimGenesis", new byte[] {1});
    static final Hash32 GENESIS_STATE = Hashing.tagged("SimGenesisState", new byte[] {1});

    static {
        List<Ed25519PrivateKey> keys = new ArrayList<>();
        for (int i = 0; i < MAX_VALIDATORS; i++) {
            keys.add(Ed25519PrivateKey.fromSeed(Hashing.tagged("SimValidatorSeed", new byte[] {(byte) i}).toByteArray()));
        }
        KEYS = List.copyOf(keys);
        List<SignedTransaction> txs = new ArrayList<>();
        Ed25519PrivateKey user = Ed25519PrivateKey.fromSeed(Hashing.tagged("SimUser", new byte[] {7}).toByteArray());
        Address sender = Address.of(user.publicKey());
        for (int i = 0; i < 64; i++) {
            TransactionBody body = new TransactionBody(CHAIN, sender, i, 1, 1_000_000,
                    new Payload.Transfer(Address.of(keys.get(i % MAX_VALIDATORS).publicKey()), 10 + i));
            txs.add(SignedTransaction.sign(body, user));
        }
        TRANSACTIONS = List.copyOf(txs);
    }

    private SimKeys() {
    }

    static List<Ed25519PublicKey> publicKeys(int n) {
        List<Ed25519PublicKey> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(KEYS.get(i).publicKey());
        }
        return out;
    }
}
