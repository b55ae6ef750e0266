package org.meshchain.persistence.snapshot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.SmtEntry;
import org.meshchain.merkle.SmtRange;
import org.meshchain.merkle.SmtRangeProof;

/**
 * The snapshot file: {@code header | chunk 0 | … | chunk n-1 | manifest | trailer}.
 * <ul>
 *   <li>header: {@code "MESHSNAP"} and the format version (9 bytes);
 *   <li>chunk: LZ4 block of the canonical encoding of (entries, range proof) for one key interval;
 *   <li>manifest: {@link SnapshotManifest} in canonical encoding;
 *   <li>trailer (52 bytes): manifest offset (u64 LE), manifest length (u32 LE), SHA-256 of the
 *       manifest, {@code "MESHEND\0"}.
 * </ul>
 * The manifest is written last so export streams chunks without buffering them; a reader starts from
 * the trailer, so a truncated file is detected before anything else is read.
 */
final class SnapshotFormat {

    static final byte[] HEADER_MAGIC = "MESHSNAP".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRAILER_MAGIC = "MESHEND\0".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = HEADER_MAGIC.length + 1;
    static final int TRAILER_BYTES = 8 + 4 + 32 + TRAILER_MAGIC.length;
    /** Bounds what a hostile file can make us allocate for one chunk. */
    static final int MAX_CHUNK_BYTES = 32 << 20;
    static final int MAX_MANIFEST_BYTES = 256 << 20;
    static final int MAX_VALUE_BYTES = 64 * 1024;

    /** Decompression reads untrusted files: the pure-Java safe decompressor, bounds-checked in Java. */
    private static final LZ4Factory LZ4 = LZ4Factory.fastestJavaInstance();
    /**
     * Compression only ever sees our own state: the native (JNI) compressor where lz4-java ships one
     * (about 2.7x the Java one on chunk-like data on the bench machine), the Java one elsewhere. Both
     * produce valid LZ4 blocks that the Java decompressor reads.
     */
    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();

    private SnapshotFormat() {
    }

    static byte[] header() {
        return ByteBuffer.allocate(HEADER_BYTES).put(HEADER_MAGIC).put((byte) SnapshotManifest.FORMAT_VERSION).array();
    }

    static byte[] trailer(long manifestOffset, int manifestLength, Hash32 manifestHash) {
        ByteBuffer buffer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(manifestOffset).putInt(manifestLength).put(manifestHash.toByteArray()).put(TRAILER_MAGIC);
        return buffer.array();
    }

    static byte[] encodeChunk(SmtRange range) {
        CanonicalWriter w = new CanonicalWriter(range.entries().size() * 80 + 1024);
        w.seq(range.entries(), (ww, e) -> ww.fixed(e.path().toByteArray()).bytes(e.value()));
        SmtRangeProof.CODEC.write(w, range.proof());
        return w.toByteArray();
    }

    /**
     * The same bytes as {@link #encodeChunk(SmtRange)} from entries already in their canonical
     * encoding ({@code entries[0..length)}: path, ULEB128 value length, value, for each of {@code count}).
     */
    static byte[] encodeChunk(int count, byte[] entries, int length, SmtRangeProof proof) {
        byte[] head = new CanonicalWriter(8).uleb128(count).toByteArray();
        byte[] proofBytes = SmtRangeProof.CODEC.encode(proof);
        byte[] out = new byte[head.length + length + proofBytes.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(entries, 0, out, head.length, length);
        System.arraycopy(proofBytes, 0, out, head.length + length, proofBytes.length);
        return out;
    }

    static SmtRange decodeChunk(byte[] bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        List<SmtEntry> entries = r.seq("chunk.entries", MAX_CHUNK_BYTES / 33, rr -> {
            Hash32 path = Hash32.of(rr.fixed("chunk.entry.path", 32));
            Bytes value = rr.bytes("chunk.entry.value", MAX_VALUE_BYTES);
            return new SmtEntry(path, value);
        });
        SmtRangeProof proof = SmtRangeProof.CODEC.read(r);
        r.finish("chunk");
        return new SmtRange(entries, proof);
    }

    static byte[] compress(byte[] raw) {
        return COMPRESSOR.compress(raw);
    }

    /** Decompresses exactly {@code uncompressedBytes}; anything else is a corrupt chunk. */
    static byte[] decompress(byte[] compressed, int uncompressedBytes) throws DecodeException {
        LZ4SafeDecompressor decompressor = LZ4.safeDecompressor();
        byte[] out = new byte[uncompressedBytes];
        try {
            int produced = decompressor.decompress(compressed, 0, compressed.length, out, 0);
            if (produced != uncompressedBytes) {
                throw new DecodeException("chunk", DecodeException.Kind.INVALID_VALUE,
                        "decompressed to " + produced + " bytes, manifest says " + uncompressedBytes);
            }
        } catch (LZ4Exception e) {
            throw new DecodeException("chunk", DecodeException.Kind.INVALID_VALUE, "LZ4 data is corrupt: " + e.getMessage());
        }
        return out;
    }
}
