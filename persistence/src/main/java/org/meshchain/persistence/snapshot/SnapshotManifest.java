package org.meshchain.persistence.snapshot;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;

/**
 * What a snapshot holds (DESIGN 7.3): the state at {@code height} (state version height + 1), its
 * root, the block at that height and the certificate that certifies block and root, and one entry
 * per chunk. Chunks tile the whole 256-bit key space in order, so a verifier can tell that no part
 * of the state was left out.
 */
public record SnapshotManifest(long height, Hash32 stateRoot, Block block, QuorumCertificate certificate,
        List<ChunkInfo> chunks) {

    public static final int FORMAT_VERSION = 1;
    public static final int MAX_CHUNKS = 1 << 20;
    static final Hash32 FIRST_PATH = Hash32.ZERO;
    static final Hash32 LAST_PATH = Hash32.fromHex("ff".repeat(32));

    public SnapshotManifest {
        Objects.requireNonNull(stateRoot, "stateRoot");
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(certificate, "certificate");
        chunks = List.copyOf(chunks);
    }

    /** One chunk: the key interval it covers, where its LZ4 bytes are, and their SHA-256. */
    public record ChunkInfo(Hash32 start, Hash32 end, int entries, long offset, int compressedBytes,
            int uncompressedBytes, Hash32 compressedHash) {
    }

    /** Checks what can be checked without reading chunks; throws naming the first violated rule. */
    void checkStructure(long firstChunkOffset, long manifestOffset) throws SnapshotException {
        if (block.header().height() != height) {
            throw new SnapshotException("manifest height " + height + " but its block is at height " + block.header().height());
        }
        if (!block.txRootMatches()) {
            throw new SnapshotException("manifest block's transactions do not match its tx root");
        }
        if (!certificate.voteData().blockId().equals(block.id()) || certificate.voteData().height() != height) {
            throw new SnapshotException("certificate names block " + certificate.voteData().blockId() + " at height "
                    + certificate.voteData().height() + ", not the manifest's block " + block.id() + " at " + height);
        }
        if (!certificate.voteData().stateRoot().equals(stateRoot)) {
            throw new SnapshotException("manifest state root " + stateRoot + " is not the certified root "
                    + certificate.voteData().stateRoot());
        }
        if (chunks.isEmpty()) {
            throw new SnapshotException("manifest lists no chunks");
        }
        long expectedOffset = firstChunkOffset;
        Hash32 expectedStart = FIRST_PATH;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkInfo chunk = chunks.get(i);
            if (!chunk.start().equals(expectedStart)) {
                throw SnapshotException.inChunk(i, chunks.size(), "starts at " + chunk.start() + ", expected " + expectedStart
                        + " (chunks must cover the key space without gaps)");
            }
            if (chunk.end().compareTo(chunk.start()) < 0) {
                throw SnapshotException.inChunk(i, chunks.size(), "ends before it starts");
            }
            if (chunk.offset() != expectedOffset) {
                throw SnapshotException.inChunk(i, chunks.size(), "at offset " + chunk.offset() + ", expected " + expectedOffset);
            }
            expectedOffset += chunk.compressedBytes();
            if (!chunk.end().equals(LAST_PATH)) {
                expectedStart = successor(chunk.end());
            } else if (i != chunks.size() - 1) {
                throw SnapshotException.inChunk(i, chunks.size(), "reaches the end of the key space before the last chunk");
            }
        }
        if (!chunks.getLast().end().equals(LAST_PATH)) {
            throw new SnapshotException("the last chunk ends at " + chunks.getLast().end() + ", not at the end of the key space");
        }
        if (expectedOffset != manifestOffset) {
            throw new SnapshotException("chunks end at offset " + expectedOffset + " but the manifest starts at " + manifestOffset);
        }
    }

    static Hash32 successor(Hash32 path) {
        return fromBigInteger(toBigInteger(path).add(BigInteger.ONE));
    }

    static BigInteger toBigInteger(Hash32 path) {
        return new BigInteger(1, path.toByteArray());
    }

    static Hash32 fromBigInteger(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return Hash32.of(out);
    }

    byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(1024 + chunks.size() * 150);
        w.u8(FORMAT_VERSION).u64(height).fixed(stateRoot.toByteArray());
        w.bytes(DomainCodecs.encode(block));
        w.bytes(DomainCodecs.DEFAULT.quorumCertificate().encode(certificate));
        w.seq(chunks, (ww, c) -> ww.fixed(c.start().toByteArray()).fixed(c.end().toByteArray()).u32(c.entries())
                .u64(c.offset()).u32(c.compressedBytes()).u32(c.uncompressedBytes()).fixed(c.compressedHash().toByteArray()));
        return w.toByteArray();
    }

    static SnapshotManifest decode(byte[] bytes, DomainCodecs codecs) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("manifest.format_version");
        if (version != FORMAT_VERSION) {
            throw new DecodeException("manifest.format_version", DecodeException.Kind.INVALID_VALUE,
                    "version " + version + ", this node reads " + FORMAT_VERSION);
        }
        long height = r.u63("manifest.height");
        Hash32 root = Hash32.of(r.fixed("manifest.state_root", 32));
        Block block = codecs.decodeBlock(r.bytes("manifest.block", codecs.limits().maxBlockBytes()).toByteArray());
        QuorumCertificate qc = codecs.quorumCertificate().decode(
                r.bytes("manifest.certificate", 64 * 1024).toByteArray(), 64 * 1024, "manifest.certificate");
        List<ChunkInfo> chunks = r.seq("manifest.chunks", MAX_CHUNKS, rr -> {
            Hash32 start = Hash32.of(rr.fixed("chunk.start", 32));
            Hash32 end = Hash32.of(rr.fixed("chunk.end", 32));
            long entries = rr.u32("chunk.entries");
            long offset = rr.u63("chunk.offset");
            long compressed = rr.u32("chunk.compressed_bytes");
            long uncompressed = rr.u32("chunk.uncompressed_bytes");
            if (compressed > SnapshotFormat.MAX_CHUNK_BYTES || uncompressed > SnapshotFormat.MAX_CHUNK_BYTES
                    || entries > SnapshotFormat.MAX_CHUNK_BYTES) {
                throw new DecodeException("chunk", DecodeException.Kind.LENGTH_OVER_LIMIT,
                        "chunk sizes over " + SnapshotFormat.MAX_CHUNK_BYTES);
            }
            Hash32 hash = Hash32.of(rr.fixed("chunk.compressed_hash", 32));
            return new ChunkInfo(start, end, (int) entries, offset, (int) compressed, (int) uncompressed, hash);
        });
        r.finish("manifest");
        return new SnapshotManifest(height, root, block, qc, chunks);
    }
}
