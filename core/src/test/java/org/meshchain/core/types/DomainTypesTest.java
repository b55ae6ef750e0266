package org.meshchain.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

class DomainTypesTest {

    private static final ChainId CHAIN = new ChainId("testnet-1");

    private static Ed25519PrivateKey key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    private static SignedTransaction transfer(Ed25519PrivateKey from, long nonce, long amount) {
        TransactionBody body = new TransactionBody(CHAIN, Address.of(from.publicKey()), nonce, 10, 1_000,
                new Payload.Transfer(Address.of(key(99).publicKey()), amount));
        return SignedTransaction.sign(body, from);
    }

    @Test
    void taggedHashIsSha256OfTagDigestThenBytes() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] tagDigest = sha.digest("MESHCHAIN::Address".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sha.update(tagDigest);
        byte[] expected = sha.digest(new byte[] {1, 2, 3});
        assertThat(Hashing.tagged("Address", new byte[] {1, 2, 3}).toByteArray()).isEqualTo(expected);
        // different tags separate domains for identical bytes
        assertThat(Hashing.tagged("Account", new byte[] {1, 2, 3})).isNotEqualTo(Hashing.tagged("Address", new byte[] {1, 2, 3}));
    }

    @Test
    void signedTransactionVerifiesAndAnyChangeBreaksIt() {
        Ed25519PrivateKey alice = key(1);
        SignedTransaction tx = transfer(alice, 0, 500);
        assertThat(tx.hasValidSignature()).isTrue();

        TransactionBody changed = new TransactionBody(CHAIN, tx.body().sender(), 0, 10, 1_000,
                new Payload.Transfer(Address.of(key(99).publicKey()), 501));
        assertThat(new SignedTransaction(changed, tx.signerPublicKey(), tx.signature()).hasValidSignature()).isFalse();

        // a valid signature by a key that is not the sender's does not authorise the sender's account
        SignedTransaction byMallory = SignedTransaction.sign(tx.body(), key(2));
        assertThat(byMallory.hasValidSignature()).isFalse();
    }

    @Test
    void transactionIdCoversTheSignature() {
        SignedTransaction tx = transfer(key(1), 0, 500);
        byte[] sig = tx.signature().toByteArray();
        sig[63] ^= 1;
        SignedTransaction other = new SignedTransaction(tx.body(), tx.signerPublicKey(), Ed25519Signature.of(sig));
        assertThat(other.id()).isNotEqualTo(tx.id());
        assertThat(other.body().signingHash()).isEqualTo(tx.body().signingHash());
    }

    @Test
    void voteAndTimeoutSignaturesVerifyOnlyUnderTheSignersKey() {
        Ed25519PrivateKey validator = key(3);
        VoteData data = new VoteData(Hashing.sha256(new byte[] {7}), 5, 4, Hash32.ZERO, Hash32.ZERO);
        Vote vote = Vote.sign(data, validator);
        assertThat(vote.verify(validator.publicKey())).isTrue();
        assertThat(vote.verify(key(4).publicKey())).isFalse();

        QuorumCertificate qc = new QuorumCertificate(data, List.of());
        Timeout timeout = Timeout.sign(CHAIN, 6, qc, validator);
        assertThat(timeout.verify(validator.publicKey())).isTrue();
        Timeout otherChain = new Timeout(new ChainId("othernet"), 6, qc, timeout.validator(), timeout.signature());
        assertThat(otherChain.verify(validator.publicKey())).as("timeouts are bound to their chain").isFalse();
    }

    @Test
    void txRootFollowsTheLargestPowerOfTwoSplit() {
        List<Hash32> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(Hashing.sha256(new byte[] {(byte) i}));
        }
        Hash32 leaf0 = Hashing.tagged("TxLeaf", ids.get(0).toByteArray());
        Hash32 leaf1 = Hashing.tagged("TxLeaf", ids.get(1).toByteArray());
        Hash32 leaf2 = Hashing.tagged("TxLeaf", ids.get(2).toByteArray());
        Hash32 left = Hashing.tagged("TxNode", concat(leaf0, leaf1));
        assertThat(TxRoot.ofIds(ids)).isEqualTo(Hashing.tagged("TxNode", concat(left, leaf2)));
        assertThat(TxRoot.ofIds(List.of())).isEqualTo(Hash32.ZERO);
        assertThat(TxRoot.ofIds(List.of(ids.get(0)))).isEqualTo(leaf0);
        // order matters: the root commits to the block order
        assertThat(TxRoot.ofIds(List.of(ids.get(1), ids.get(0), ids.get(2)))).isNotEqualTo(TxRoot.ofIds(ids));
    }

    private static byte[] concat(Hash32 a, Hash32 b) {
        byte[] out = new byte[64];
        a.copyTo(out, 0);
        b.copyTo(out, 32);
        return out;
    }

    @Test
    void blockIdBindsTheTransactionsThroughTheTxRoot() {
        SignedTransaction tx = transfer(key(1), 0, 1);
        QuorumCertificate genesisQc = new QuorumCertificate(
                new VoteData(Hash32.ZERO, 0, 0, Hash32.ZERO, Hash32.ZERO), List.of());
        BlockHeader header = new BlockHeader(CHAIN, 1, 1, Hash32.ZERO, 1_700_000_000_000L,
                Address.of(key(3).publicKey()), TxRoot.of(List.of(tx)), genesisQc, null);
        Block block = new Block(header, List.of(tx));
        assertThat(block.txRootMatches()).isTrue();
        assertThat(new Block(header, List.of(transfer(key(1), 1, 1))).txRootMatches()).isFalse();
        assertThat(block.id()).isEqualTo(Hashing.tagged("BlockHeader", DomainCodecs.encode(header)));
    }

    @Test
    void decodingNamesTheFieldThatBrokeARule() {
        // access set keys out of order: not the canonical encoding of a set
        Payload.Call call = new Payload.Call(Address.of(key(5).publicKey()), "transfer", Bytes.EMPTY, 1000,
                new Payload.AccessSet(List.of(Bytes.of(new byte[] {1}), Bytes.of(new byte[] {2})), List.of()));
        SignedTransaction tx = SignedTransaction.sign(
                new TransactionBody(CHAIN, Address.of(key(1).publicKey()), 0, 1, 10, call), key(1));
        byte[] bytes = DomainCodecs.encode(tx);
        // swap the two one-byte keys: ... 02 01 01 01 02 -> ... 02 01 02 01 01
        int keysAt = indexOf(bytes, new byte[] {2, 1, 1, 1, 2});
        assertThat(keysAt).isPositive();
        bytes[keysAt + 2] = 2;
        bytes[keysAt + 4] = 1;
        assertThatThrownBy(() -> DomainCodecs.DEFAULT.decodeTransaction(bytes))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("call.access_set")
                .hasMessageContaining("strictly ascending");
    }

    @Test
    void oversizedFieldsAreRejectedByTheConfiguredLimit() {
        ProtocolLimits small = new ProtocolLimits(512 * 1024, 100, 16, 64, 4, 16, 4, 4, 8, 10, 1 << 20, 8);
        DomainCodecs strict = new DomainCodecs(small);
        SignedTransaction deploy = SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(key(1).publicKey()), 0, 1, 10,
                new Payload.Deploy(Bytes.of(new byte[101]))), key(1));
        assertThatThrownBy(() -> strict.decodeTransaction(DomainCodecs.encode(deploy)))
                .isInstanceOfSatisfying(DecodeException.class, e -> {
                    assertThat(e.field()).isEqualTo("deploy.wasm");
                    assertThat(e.kind()).isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);
                });
        SignedTransaction report = SignedTransaction.sign(new TransactionBody(CHAIN, Address.of(key(1).publicKey()), 0, 1, 10,
                new Payload.DeviceReport(Address.of(key(2).publicKey()), 1, Bytes.of(new byte[9]))), key(1));
        assertThatThrownBy(() -> strict.decodeTransaction(DomainCodecs.encode(report)))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.field()).isEqualTo("device_report.data"));
    }

    @Test
    void invalidChainIdInBytesIsRejected() {
        byte[] bytes = new CanonicalWriter().string("Bad Chain").toByteArray();
        assertThatThrownBy(() -> DomainCodecs.readChainId(new org.meshchain.core.codec.CanonicalReader(bytes)))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("chain_id");
    }

    @Test
    void constructorsRejectValuesOutsideTheDomain() {
        assertThatThrownBy(() -> new Payload.Transfer(Address.of(key(1).publicKey()), -1))
                .hasMessageContaining("amount");
        assertThatThrownBy(() -> new Payload.UtxoSpend(List.of(), List.of())).hasMessageContaining("at least one input");
        assertThatThrownBy(() -> new ChainId("-leading-dash")).hasMessageContaining("chain id");
        assertThatThrownBy(() -> new Payload.Call(Address.of(key(1).publicKey()), "1bad", Bytes.EMPTY, 1, Payload.AccessSet.EMPTY))
                .hasMessageContaining("identifier");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
