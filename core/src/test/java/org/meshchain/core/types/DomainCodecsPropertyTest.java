package org.meshchain.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.meshchain.core.codec.CanonicalCodec;
import org.meshchain.core.codec.DecodeException;

/**
 * The canonical-codec laws of DESIGN 3.1 for every domain type: decode(encode(x)) == x;
 * encode(decode(b)) == b for every accepted b (including mutated encodings that still decode);
 * arbitrary bytes never raise anything but DecodeException.
 */
class DomainCodecsPropertyTest {

    private static final DomainCodecs CODECS = DomainCodecs.DEFAULT;
    private static final int MAX = 1 << 20;

    private static <T> void roundTrips(CanonicalCodec<T> codec, T value) throws DecodeException {
        byte[] encoded = codec.encode(value);
        T decoded = codec.decode(encoded, MAX, "value");
        assertThat(decoded).isEqualTo(value);
        assertThat(codec.encode(decoded)).isEqualTo(encoded);
    }

    /** Mutates a valid encoding; whatever still decodes must re-encode to exactly the mutated bytes. */
    private static <T> void mutationsStayCanonical(CanonicalCodec<T> codec, T value, int position, int mutation, byte delta) {
        byte[] encoded = codec.encode(value);
        int at = Math.floorMod(position, encoded.length);
        byte[] mutated = switch (Math.floorMod(mutation, 4)) {
            case 0 -> {
                byte[] copy = encoded.clone();
                copy[at] ^= (byte) (delta == 0 ? 1 : delta);
                yield copy;
            }
            case 1 -> Arrays.copyOf(encoded, at);
            case 2 -> {
                byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
                longer[encoded.length] = delta;
                yield longer;
            }
            default -> {
                byte[] inserted = new byte[encoded.length + 1];
                System.arraycopy(encoded, 0, inserted, 0, at);
                inserted[at] = delta;
                System.arraycopy(encoded, at, inserted, at + 1, encoded.length - at);
                yield inserted;
            }
        };
        try {
            T decoded = codec.decode(mutated, MAX, "value");
            assertThat(codec.encode(decoded)).as("accepted bytes must be canonical").isEqualTo(mutated);
        } catch (DecodeException expected) {
            assertThat(expected.field()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void transactionsRoundTrip(@ForAll("transactions") SignedTransaction tx) throws DecodeException {
        roundTrips(CODECS.signedTransaction(), tx);
        assertThat(CODECS.decodeTransaction(DomainCodecs.encode(tx))).isEqualTo(tx);
    }

    @Property(tries = 100)
    void blocksRoundTrip(@ForAll("blocks") Block block) throws DecodeException {
        roundTrips(CODECS.block(), block);
        assertThat(CODECS.decodeBlock(DomainCodecs.encode(block)).id()).isEqualTo(block.id());
    }

    @Property(tries = 200)
    void consensusMessagesRoundTrip(@ForAll("votes") Vote vote, @ForAll("timeouts") Timeout timeout,
            @ForAll("tcs") TimeoutCertificate tc) throws DecodeException {
        roundTrips(CODECS.vote(), vote);
        roundTrips(CODECS.timeout(), timeout);
        roundTrips(CODECS.timeoutCertificate(), tc);
        roundTrips(CODECS.voteData(), vote.data());
    }

    @Property(tries = 5000)
    void mutatedTransactionsAreRejectedOrCanonical(@ForAll("transactions") SignedTransaction tx,
            @ForAll int position, @ForAll @IntRange(min = 0, max = 3) int mutation, @ForAll byte delta) {
        mutationsStayCanonical(CODECS.signedTransaction(), tx, position, mutation, delta);
    }

    @Property(tries = 500)
    void mutatedBlocksAreRejectedOrCanonical(@ForAll("blocks") Block block,
            @ForAll int position, @ForAll @IntRange(min = 0, max = 3) int mutation, @ForAll byte delta) {
        mutationsStayCanonical(CODECS.block(), block, position, mutation, delta);
    }

    @Property(tries = 500)
    void mutatedTimeoutsAreRejectedOrCanonical(@ForAll("timeouts") Timeout timeout,
            @ForAll int position, @ForAll @IntRange(min = 0, max = 3) int mutation, @ForAll byte delta) {
        mutationsStayCanonical(CODECS.timeout(), timeout, position, mutation, delta);
    }

    @Property(tries = 2000)
    void randomBytesOnlyEverRaiseDecodeException(@ForAll @Size(max = 600) byte[] bytes) {
        for (Function<byte[], Object> decoder : DECODERS) {
            decoder.apply(bytes);
        }
    }

    /** Each decoder returns the value or the DecodeException; any other throwable fails the property. */
    private static final java.util.List<Function<byte[], Object>> DECODERS = java.util.List.of(
            b -> attempt(() -> CODECS.decodeTransaction(b)),
            b -> attempt(() -> CODECS.decodeBlock(b)),
            b -> attempt(() -> CODECS.quorumCertificate().decode(b, MAX, "qc")),
            b -> attempt(() -> CODECS.timeoutCertificate().decode(b, MAX, "tc")),
            b -> attempt(() -> CODECS.vote().decode(b, MAX, "vote")),
            b -> attempt(() -> CODECS.timeout().decode(b, MAX, "timeout")),
            b -> attempt(() -> CODECS.blockHeader().decode(b, MAX, "header")));

    private interface Decode {
        Object run() throws DecodeException;
    }

    private static Object attempt(Decode decode) {
        try {
            return decode.run();
        } catch (DecodeException e) {
            return e;
        }
    }

    @Provide
    Arbitrary<SignedTransaction> transactions() {
        return DomainArbitraries.signedTransactions();
    }

    @Provide
    Arbitrary<Block> blocks() {
        return DomainArbitraries.blocks();
    }

    @Provide
    Arbitrary<Vote> votes() {
        return DomainArbitraries.votes();
    }

    @Provide
    Arbitrary<Timeout> timeouts() {
        return DomainArbitraries.timeouts();
    }

    @Provide
    Arbitrary<TimeoutCertificate> tcs() {
        return DomainArbitraries.timeoutCertificates();
    }
}
