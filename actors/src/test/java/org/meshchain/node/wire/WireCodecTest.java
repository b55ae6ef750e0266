package org.meshchain.node.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.SafetyState;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

class WireCodecTest {

    private final WireCodec codec = new WireCodec(DomainCodecs.DEFAULT, 100, 500);
    private final ChainId chain = new ChainId("test-chain");
    private final Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    private final QuorumCertificate qc = new QuorumCertificate(
            new VoteData(Hash32.of(new byte[32]), 3, 2, Hash32.ZERO, Hash32.ZERO), List.of());

    @Test
    void everyConsensusMessageRoundTripsThroughItsKind() throws DecodeException {
        Vote vote = Vote.sign(new VoteData(Hash32.ZERO, 4, 3, Hash32.ZERO, Hash32.ZERO), key);
        List<ConsensusMessage> messages = List.of(
                new ConsensusMessage.VoteMessage(vote),
                new ConsensusMessage.TimeoutMessage(Timeout.sign(chain, 5, qc, key), null),
                new ConsensusMessage.SyncRequest(7, 50),
                new ConsensusMessage.BlockRequest(qc, 1),
                new ConsensusMessage.SyncResponse(List.of(), qc, 9));
        for (ConsensusMessage message : messages) {
            WireCodec.Kind kind = WireCodec.kindOf(message);
            assertThat(codec.decodeConsensus(kind, codec.encode(message))).isEqualTo(message);
        }
    }

    @Test
    void badInputGetsASpecificErrorNamingTheField() {
        assertThatThrownBy(() -> codec.decodeConsensus(WireCodec.Kind.SYNC_REQUEST, new byte[] {1, 2}))
                .isInstanceOf(DecodeException.class);
        byte[] tooMany = codec.encode(new ConsensusMessage.SyncRequest(1, 100));
        WireCodec strict = new WireCodec(DomainCodecs.DEFAULT, 10, 500);
        assertThatThrownBy(() -> strict.decodeConsensus(WireCodec.Kind.SYNC_REQUEST, tooMany))
                .isInstanceOf(DecodeException.class).hasMessageContaining("maxBlocks");
        byte[] trailing = java.util.Arrays.copyOf(codec.encode(new ConsensusMessage.SyncRequest(1, 5)), 13);
        assertThatThrownBy(() -> codec.decodeConsensus(WireCodec.Kind.SYNC_REQUEST, trailing))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> WireCodec.Kind.of(99)).isInstanceOf(DecodeException.class);
    }

    @Test
    void transactionBatchesAndSafetyStateRoundTrip() throws DecodeException {
        SignedTransaction tx = SignedTransaction.sign(new TransactionBody(chain, Address.of(key.publicKey()), 0, 1, 10,
                new Payload.Transfer(Address.of(key.publicKey()), 5)), key);
        assertThat(codec.decodeTransactions(codec.encodeTransactions(List.of(tx, tx)))).containsExactly(tx, tx);
        Vote vote = Vote.sign(new VoteData(Hash32.ZERO, 4, 3, Hash32.ZERO, Hash32.ZERO), key);
        SafetyState state = new SafetyState(4, 3, 2, vote, Timeout.sign(chain, 2, qc, key));
        assertThat(WireCodec.decodeSafetyState(WireCodec.encodeSafetyState(state))).isEqualTo(state);
        assertThat(WireCodec.decodeSafetyState(WireCodec.encodeSafetyState(SafetyState.INITIAL))).isEqualTo(SafetyState.INITIAL);
    }

    @Test
    void theSerializerRoundTripsEveryBoundTypeAndRefusesGarbage() throws Exception {
        MeshchainSerializer serializer = new MeshchainSerializer(null);
        Vote vote = Vote.sign(new VoteData(Hash32.ZERO, 4, 3, Hash32.ZERO, Hash32.ZERO), key);
        SafetyState state = new SafetyState(4, 3, 2, vote, null);
        PeerEnvelope envelope = PeerEnvelope.sign(chain, key, Address.of(key.publicKey()), WireCodec.Kind.VOTE, new byte[] {7});
        for (Object o : List.of(state, new SafetyStateRecorded(state), envelope)) {
            assertThat(serializer.fromBinary(serializer.toBinary(o), serializer.manifest(o))).isEqualTo(o);
        }
        assertThatThrownBy(() -> serializer.fromBinary(new byte[] {1, 2, 3}, "E"))
                .isInstanceOf(java.io.NotSerializableException.class);
        assertThatThrownBy(() -> serializer.fromBinary(new byte[0], "Q")).isInstanceOf(java.io.NotSerializableException.class);
    }

    @Test
    void envelopesVerifyOnlyUnchangedAndForTheirChain() throws DecodeException {
        Ed25519PrivateKey other = Ed25519PrivateKey.generate(new SecureRandom());
        Address to = Address.of(other.publicKey());
        PeerEnvelope envelope = PeerEnvelope.sign(chain, key, to, WireCodec.Kind.VOTE, new byte[] {1, 2, 3});
        PeerEnvelope decoded = PeerEnvelope.fromBytes(envelope.toBytes(), 1024);
        assertThat(decoded).isEqualTo(envelope);
        assertThat(decoded.verify(chain, key.publicKey())).isTrue();
        assertThat(decoded.verify(new ChainId("other-chain"), key.publicKey())).isFalse();
        assertThat(decoded.verify(chain, other.publicKey())).isFalse();
        PeerEnvelope tampered = new PeerEnvelope(envelope.from(), envelope.to(), WireCodec.Kind.PROPOSAL.ordinal(),
                envelope.payload(), envelope.signature());
        assertThat(tampered.verify(chain, key.publicKey())).isFalse();
        assertThatThrownBy(() -> PeerEnvelope.fromBytes(envelope.toBytes(), 2)).isInstanceOf(DecodeException.class);
    }

    @Test
    void bulkSyncMessagesRoundTripAndAreBoundedStrictly() throws DecodeException {
        org.meshchain.core.types.Block block = new org.meshchain.core.types.Block(new org.meshchain.core.types.BlockHeader(chain, 2,
                3, Hash32.ZERO, 1_000, Address.of(key.publicKey()), org.meshchain.core.types.TxRoot.of(List.of()), qc, null),
                List.of());
        var response = new org.meshchain.node.sync.BulkSyncMessage.Response(2,
                List.of(new org.meshchain.node.sync.BulkSyncMessage.CertifiedBlock(block, qc)), 40);
        var request = new org.meshchain.node.sync.BulkSyncMessage.Request(2, 50);
        WireCodec bulk = new WireCodec(DomainCodecs.DEFAULT, 100, 500, 50);
        assertThat(bulk.decodeBulkSync(WireCodec.Kind.BULK_SYNC_REQUEST, bulk.encode(request))).isEqualTo(request);
        assertThat(bulk.decodeBulkSync(WireCodec.Kind.BULK_SYNC_RESPONSE, bulk.encode(response))).isEqualTo(response);
        assertThat(WireCodec.kindOf(request)).isEqualTo(WireCodec.Kind.BULK_SYNC_REQUEST);
        assertThat(WireCodec.Kind.BULK_SYNC_REQUEST.ordinal()).as("appended after the older kinds").isEqualTo(7);

        WireCodec strict = new WireCodec(DomainCodecs.DEFAULT, 100, 500, 10);
        byte[] tooManyAsked = bulk.encode(request);
        assertThatThrownBy(() -> strict.decodeBulkSync(WireCodec.Kind.BULK_SYNC_REQUEST, tooManyAsked))
                .isInstanceOf(DecodeException.class).hasMessageContaining("maxBlocks");
        java.util.List<org.meshchain.node.sync.BulkSyncMessage.CertifiedBlock> eleven = java.util.Collections.nCopies(11,
                new org.meshchain.node.sync.BulkSyncMessage.CertifiedBlock(block, qc));
        byte[] tooManyServed = bulk.encode(new org.meshchain.node.sync.BulkSyncMessage.Response(2, eleven, 40));
        assertThatThrownBy(() -> strict.decodeBulkSync(WireCodec.Kind.BULK_SYNC_RESPONSE, tooManyServed))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> bulk.decodeConsensus(WireCodec.Kind.BULK_SYNC_REQUEST, bulk.encode(request)))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> bulk.decodeBulkSync(WireCodec.Kind.VOTE, bulk.encode(request)))
                .isInstanceOf(DecodeException.class);
    }
}
