package org.meshchain.core.state;

import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * Where each kind of state lives in the one sparse Merkle tree (DESIGN 3.5). Every path is a
 * domain-separated hash, so kinds can never collide and light clients can compute the path of what
 * they want proven. This is the shared layout contract of execution, the API, the bridge and devices.
 */
public final class StatePaths {

    private StatePaths() {}

    /** An account: → {@link AccountState}. */
    public static Hash32 account(Address address) {
        return Hashing.tagged("Account", address.hash().toByteArray());
    }

    /** An unspent output: → {@link Payload.UtxoOutput} (canonical); absent once spent. */
    public static Hash32 utxo(Payload.UtxoRef ref) {
        byte[] in = new byte[36];
        ref.txId().copyTo(in, 0);
        in[32] = (byte) ref.index();
        in[33] = (byte) (ref.index() >>> 8);
        in[34] = (byte) (ref.index() >>> 16);
        in[35] = (byte) (ref.index() >>> 24);
        return Hashing.tagged("Utxo", in);
    }

    /** A contract's code hash (the wasm module is kept by code hash, see {@link #code}). */
    public static Hash32 contract(Address contract) {
        return Hashing.tagged("Contract", contract.hash().toByteArray());
    }

    /** Deployed wasm bytes by their code hash. */
    public static Hash32 code(Hash32 codeHash) {
        return Hashing.tagged("Code", codeHash.toByteArray());
    }

    /** A contract storage slot: {@code H("Storage", contract || key)}. */
    public static Hash32 storage(Address contract, Bytes key) {
        byte[] in = new byte[32 + key.length()];
        contract.hash().copyTo(in, 0);
        key.copyTo(in, 32);
        return Hashing.tagged("Storage", in);
    }

    /** A registered field device: → {@link DeviceRecord}. */
    public static Hash32 device(Address device) {
        return Hashing.tagged("Device", device.hash().toByteArray());
    }
}
