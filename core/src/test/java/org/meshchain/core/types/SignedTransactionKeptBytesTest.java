package org.meshchain.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hashing;

/** SignedTransaction keeps its canonical bytes and id: the kept values must be exactly the fresh ones. */
class SignedTransactionKeptBytesTest {

    private static final ChainId CHAIN = new ChainId("testnet-1");

    private static Ed25519PrivateKey key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    private static SignedTransaction transfer(long nonce) {
        Ed25519PrivateKey from = key(1);
        TransactionBody body = new TransactionBody(CHAIN, Address.of(from.publicKey()), nonce, 10, 1_000,
                new Payload.Transfer(Address.of(key(2).publicKey()), 5));
        return SignedTransaction.sign(body, from);
    }

    /** The encoding written field by field, as before the bytes were kept. */
    private static byte[] fieldByField(SignedTransaction tx) {
        CanonicalWriter w = new CanonicalWriter(256);
        w.fixed(DomainCodecs.encode(tx.body()));
        w.fixed(tx.signerPublicKey().toByteArray());
        w.fixed(tx.signature().toByteArray());
        return w.toByteArray();
    }

    @Test
    void keptBytesAndIdEqualTheFreshOnes() {
        SignedTransaction tx = transfer(3);
        byte[] fresh = fieldByField(tx);
        assertThat(DomainCodecs.encode(tx)).isEqualTo(fresh);
        assertThat(tx.encodedLength()).isEqualTo(fresh.length);
        assertThat(tx.id()).isEqualTo(Hashing.tagged("SignedTransaction", fresh));
        assertThat(tx.id()).isSameAs(tx.id());
    }

    @Test
    void callersCannotChangeTheKeptBytes() {
        SignedTransaction tx = transfer(4);
        byte[] copy = DomainCodecs.encode(tx);
        copy[0] ^= 1;
        assertThat(DomainCodecs.encode(tx)).isEqualTo(fieldByField(tx));
        assertThat(tx.id()).isEqualTo(Hashing.tagged("SignedTransaction", fieldByField(tx)));
    }

    @Test
    void equalityIsByComponentsAsForARecord() throws DecodeException {
        SignedTransaction tx = transfer(5);
        tx.id(); // one side has its bytes kept, the decoded copy not yet
        SignedTransaction decoded = DomainCodecs.DEFAULT.decodeTransaction(DomainCodecs.encode(tx));
        assertThat(decoded).isEqualTo(tx).hasSameHashCodeAs(tx);
        assertThat(decoded.id()).isEqualTo(tx.id());
        assertThat(transfer(6)).isNotEqualTo(tx);
        assertThat(new SignedTransaction(tx.body(), key(3).publicKey(), tx.signature())).isNotEqualTo(tx);
    }

    @Test
    void theCodecWritesTheKeptBytesInsideLargerMessages() throws DecodeException {
        SignedTransaction tx = transfer(7);
        CanonicalWriter w = new CanonicalWriter(64);
        w.u8(42);
        DomainCodecs.DEFAULT.signedTransaction().write(w, tx);
        byte[] out = w.toByteArray();
        assertThat(Arrays.copyOfRange(out, 1, out.length)).isEqualTo(fieldByField(tx));
        assertThat(DomainCodecs.DEFAULT.decodeTransaction(Arrays.copyOfRange(out, 1, out.length))).isEqualTo(tx);
    }
}
