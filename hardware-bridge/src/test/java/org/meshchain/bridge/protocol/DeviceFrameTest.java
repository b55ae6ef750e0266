package org.meshchain.bridge.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;

class DeviceFrameTest {

    private static final Ed25519PrivateKey KEY = BridgeFixture.deviceKey(0);
    private static final Address SELF = Address.of(KEY.publicKey());

    @Property(tries = 60)
    void reportFramesRoundTripAndVerify(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long counter,
            @ForAll @LongRange(min = 0, max = 1_000_000) long nonce, @ForAll @Size(max = 300) byte[] data) throws Exception {
        DeviceFrame frame = BridgeFixture.reportFrame(KEY, counter, nonce, data);
        byte[] bytes = frame.encode();
        DeviceFrame decoded = DeviceFrame.decode(bytes, 1024, DomainCodecs.DEFAULT);
        assertThat(decoded).isEqualTo(frame);
        assertThat(decoded.encode()).isEqualTo(bytes);
        assertThat(decoded.verify(BridgeFixture.CHAIN, KEY.publicKey())).isTrue();
        // bound to the chain: the same bytes do not verify on another chain
        assertThat(decoded.verify(new ChainId("other-chain"), KEY.publicKey())).isFalse();
    }

    @Property(tries = 60)
    void anyFlippedByteIsRejectedOrFailsTheSignature(@ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int flip) {
        byte[] bytes = BridgeFixture.transferFrame(KEY, 7, 3, SELF, 9).encode();
        int i = position % bytes.length;
        bytes[i] ^= (byte) flip;
        try {
            DeviceFrame decoded = DeviceFrame.decode(bytes, 1024, DomainCodecs.DEFAULT);
            assertThat(decoded.verify(BridgeFixture.CHAIN, KEY.publicKey())).as("byte " + i).isFalse();
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotEmpty();
        }
    }

    @Property(tries = 30)
    void truncationsAndTrailingBytesAreRejected(@ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] bytes = BridgeFixture.transferFrame(KEY, 7, 3, SELF, 9).encode();
        byte[] shorter = Arrays.copyOf(bytes, cut % bytes.length);
        assertThatThrownBy(() -> DeviceFrame.decode(shorter, 1024, DomainCodecs.DEFAULT)).isInstanceOf(DecodeException.class);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + cut % 3);
        assertThatThrownBy(() -> DeviceFrame.decode(longer, 1024, DomainCodecs.DEFAULT)).isInstanceOf(DecodeException.class);
    }

    @Property(tries = 30)
    void proofRequestsRoundTrip(@ForAll @IntRange(min = 1, max = 8) int paths) throws Exception {
        List<Hash32> list = java.util.stream.IntStream.range(0, paths)
                .mapToObj(i -> org.meshchain.core.crypto.Hashing.sha256(new byte[] {(byte) i})).toList();
        DeviceFrame frame = DeviceFrame.sign(BridgeFixture.CHAIN, 5, new DeviceFrame.ProofRequest(list), KEY);
        assertThat(DeviceFrame.decode(frame.encode(), 1024, DomainCodecs.DEFAULT)).isEqualTo(frame);
    }

    @Property(tries = 30)
    void repliesRoundTrip(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long counter, @ForAll @IntRange(min = 0, max = 13) int code,
            @ForAll("details") String detail) throws Exception {
        BridgeReply reply = new BridgeReply(counter, ReplyCode.fromWire(code).orElseThrow(),
                code % 2 == 0 ? Optional.of(Hash32.ZERO) : Optional.empty(), detail);
        assertThat(BridgeReply.decode(reply.encode())).isEqualTo(reply);
        assertThat(reply.detail().length()).isLessThanOrEqualTo(BridgeReply.MAX_DETAIL_BYTES);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> details() {
        return net.jqwik.api.Arbitraries.strings().ofMaxLength(200);
    }

    @org.junit.jupiter.api.Test
    void strictDecoding() {
        byte[] good = BridgeFixture.transferFrame(KEY, 1, 0, SELF, 1).encode();
        byte[] version = good.clone();
        version[0] = 2;
        assertThatThrownBy(() -> DeviceFrame.decode(version, 1024, DomainCodecs.DEFAULT)).hasMessageContaining("version 2");
        byte[] kind = good.clone();
        kind[1] = 3;
        assertThatThrownBy(() -> DeviceFrame.decode(kind, 1024, DomainCodecs.DEFAULT)).isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> DeviceFrame.decode(good, 100, DomainCodecs.DEFAULT)).hasMessageContaining("over limit 100");
        byte[] noPaths = {1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> DeviceFrame.decode(noPaths, 1024, DomainCodecs.DEFAULT)).hasMessageContaining("at least one path");
    }

    @org.junit.jupiter.api.Test
    void topicsParseStrictly() {
        DeviceTopics topics = new DeviceTopics(BridgeFixture.CHAIN);
        String tx = topics.inbound(SELF, DeviceTopics.Inbound.TX);
        assertThat(topics.parseInbound(tx)).contains(new DeviceTopics.Parsed(SELF, DeviceTopics.Inbound.TX));
        assertThat(topics.parseInbound(topics.inbound(SELF, DeviceTopics.Inbound.PROOF_REQUEST)).orElseThrow().channel())
                .isEqualTo(DeviceTopics.Inbound.PROOF_REQUEST);
        assertThat(topics.parseInbound(tx.toUpperCase())).isEmpty();
        assertThat(topics.parseInbound(tx + "/x")).isEmpty();
        assertThat(topics.parseInbound(topics.reply(SELF))).isEmpty();
        assertThat(topics.parseInbound(tx.replace(SELF.toHex(), SELF.toHex().substring(2)))).isEmpty();
        assertThat(topics.parseInbound(tx.replace("bridge-test", "other"))).isEmpty();
        assertThat(topics.subscription(DeviceTopics.Inbound.REPORT)).isEqualTo("meshchain/bridge-test/dev/+/report");
    }
}
