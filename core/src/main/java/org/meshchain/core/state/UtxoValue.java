package org.meshchain.core.state;

import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * The value stored at {@link StatePaths#utxo}: the unspent output, encoded as in a transaction
 * (owner 32 bytes, u64 amount), so a light client can check a proven UTXO with the same codec.
 */
public final class UtxoValue {

    private UtxoValue() {}

    public static Bytes encode(Payload.UtxoOutput output) {
        CanonicalWriter w = new CanonicalWriter(40);
        w.fixed(output.owner().hash().toByteArray());
        w.u64(output.amount());
        return Bytes.of(w.toByteArray());
    }

    public static Payload.UtxoOutput decode(Bytes encoded) throws DecodeException {
        CanonicalReader r = new CanonicalReader(encoded.toByteArray());
        byte[] owner = r.fixed("owner", 32);
        long amount = r.u63("amount");
        r.finish("utxo");
        return new Payload.UtxoOutput(new Address(Hash32.of(owner)), amount);
    }
}
