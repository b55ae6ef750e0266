package org.meshchain.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalReaderTest {

    private static CanonicalReader reader(String hex) {
        return new CanonicalReader(HexFormat.of().parseHex(hex));
    }

    private static DecodeException.Kind failureKind(ThrowingRead read) {
        try {
            read.run();
        } catch (DecodeException e) {
            return e.kind();
        }
        throw new AssertionError("expected a DecodeException");
    }

    private interface ThrowingRead {
        void run() throws DecodeException;
    }

    @ParameterizedTest
    @CsvSource({
        "00, 0",
        "7f, 127",
        "8001, 128",
        "ff7f, 16383",
        "808001, 16384",
        "ffffffff0f, 4294967295"
    })
    void minimalUleb128Decodes(String hex, long expected) throws DecodeException {
        CanonicalReader r = reader(hex);
        assertThat(r.uleb128("len")).isEqualTo(expected);
        r.finish("len");
        assertThat(new CanonicalWriter().uleb128(expected).toByteArray()).isEqualTo(HexFormat.of().parseHex(hex));
    }

    @ParameterizedTest
    @CsvSource({
        // a trailing zero group encodes the same value in more bytes: not canonical
        "8000",
        "ff00",
        "8080808000",
        // more than 32 bits
        "ffffffff1f",
        "8080808010",
        // six bytes
        "808080808000"
    })
    void overlongOrOversizedUleb128IsRejected(String hex) {
        assertThat(failureKind(() -> reader(hex).uleb128("len"))).isEqualTo(DecodeException.Kind.OVERLONG_ULEB128);
    }

    @Test
    void truncatedInputNamesTheField() {
        assertThatThrownBy(() -> reader("0102").u32("nonce"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("nonce")
                .hasMessageContaining("truncated");
        assertThat(failureKind(() -> reader("80").uleb128("len"))).isEqualTo(DecodeException.Kind.TRUNCATED);
    }

    @Test
    void trailingBytesAreRejected() throws DecodeException {
        CanonicalReader r = reader("0100");
        assertThat(r.u8("flag")).isEqualTo(1);
        assertThatThrownBy(() -> r.finish("message"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("message")
                .hasMessageContaining("trailing_bytes");
    }

    @Test
    void lengthsOverTheLimitAreRejectedBeforeAllocation() {
        // claims 2^32-1 bytes follow: must fail on the limit, not try to read or allocate them
        assertThat(failureKind(() -> reader("ffffffff0f").bytes("wasm", 1024)))
                .isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);
        assertThat(failureKind(() -> reader("05").seq("items", 4, rr -> rr.u8("item"))))
                .isEqualTo(DecodeException.Kind.LENGTH_OVER_LIMIT);
    }

    @Test
    void tagsOutsideTheVariantsAreRejected() {
        assertThat(failureKind(() -> reader("06").tag("payload", 6))).isEqualTo(DecodeException.Kind.BAD_TAG);
        assertThat(failureKind(() -> reader("02").option("tc", rr -> rr.u8("x")))).isEqualTo(DecodeException.Kind.BAD_TAG);
    }

    @Test
    void booleansOtherThanZeroOrOneAreRejected() {
        assertThat(failureKind(() -> reader("02").bool("flag"))).isEqualTo(DecodeException.Kind.INVALID_VALUE);
    }

    @Test
    void malformedUtf8IsRejected() {
        // 0xC0 0x80 is an overlong encoding of NUL: Java would decode it leniently, re-encoding differs
        assertThat(failureKind(() -> reader("02c080").string("function", 64))).isEqualTo(DecodeException.Kind.INVALID_VALUE);
    }

    @Test
    void u63RejectsValuesWithTheTopBitSet() {
        assertThat(failureKind(() -> reader("ffffffffffffffff").u63("amount"))).isEqualTo(DecodeException.Kind.INVALID_VALUE);
    }

    @Test
    void littleEndianIntegersRoundTrip() throws DecodeException {
        byte[] bytes = new CanonicalWriter().u16(0xBEEF).u32(0xDEADBEEFL).u64(0x0123456789ABCDEFL).toByteArray();
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("efbeefbeaddeefcdab8967452301");
        CanonicalReader r = new CanonicalReader(bytes);
        assertThat(r.u16("a")).isEqualTo(0xBEEF);
        assertThat(r.u32("b")).isEqualTo(0xDEADBEEFL);
        assertThat(r.u64("c")).isEqualTo(0x0123456789ABCDEFL);
        r.finish("all");
    }
}
