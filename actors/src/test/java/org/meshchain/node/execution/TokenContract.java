package org.meshchain.node.execution;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/** How tests address the token contract (token.wasm): its storage keys, call arguments and access sets. */
public final class TokenContract {

    private TokenContract() {
    }

    /** The contract-storage key of {@code a}'s token balance: 'b' then the address hash. */
    public static Bytes balanceKey(Address a) {
        byte[] k = new byte[33];
        k[0] = 'b';
        a.hash().copyTo(k, 1);
        return Bytes.of(k);
    }

    /** The arguments of {@code transfer}: the recipient's address hash, then the amount as little-endian u64. */
    public static Bytes tokenArgs(Address to, long amount) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.put(to.hash().toByteArray()).putLong(amount);
        return Bytes.of(b.array());
    }

    /** An access set in the canonical form (sorted, no duplicates). */
    public static Payload.AccessSet access(List<Bytes> reads, List<Bytes> writes) {
        return new Payload.AccessSet(reads.stream().sorted().distinct().toList(), writes.stream().sorted().distinct().toList());
    }
}
