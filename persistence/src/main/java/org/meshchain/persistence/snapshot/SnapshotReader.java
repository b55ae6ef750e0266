package org.meshchain.persistence.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.SmtRange;
import org.meshchain.merkle.SmtRangeProof;

/**
 * Reads and verifies a snapshot file without trusting any of it: the trailer and manifest hash
 * first (so truncation is caught at once), the manifest's structure and certificate binding, then
 * each chunk's hash, decompression, decoding and range proof against the certified root.
 */
public final class SnapshotReader implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final SnapshotManifest manifest;
    private final Hash32 manifestHash;

    private SnapshotReader(Path file, FileChannel channel, SnapshotManifest manifest, Hash32 manifestHash) {
        this.file = file;
        this.channel = channel;
        this.manifest = manifest;
        this.manifestHash = manifestHash;
    }

    public static SnapshotReader open(Path file, DomainCodecs codecs) throws IOException, SnapshotException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < SnapshotFormat.HEADER_BYTES + SnapshotFormat.TRAILER_BYTES) {
                throw new SnapshotException(file + ": " + size + " bytes is too short for a snapshot (truncated?)");
            }
            byte[] header = read(channel, 0, SnapshotFormat.HEADER_BYTES);
            if (!Arrays.equals(header, 0, SnapshotFormat.HEADER_MAGIC.length, SnapshotFormat.HEADER_MAGIC, 0,
                    SnapshotFormat.HEADER_MAGIC.length)) {
                throw new SnapshotException(file + ": not a MeshChain snapshot (bad header)");
            }
            if (header[SnapshotFormat.HEADER_MAGIC.length] != SnapshotManifest.FORMAT_VERSION) {
                throw new SnapshotException(file + ": snapshot format " + header[SnapshotFormat.HEADER_MAGIC.length]
                        + ", this node reads " + SnapshotManifest.FORMAT_VERSION);
            }
            ByteBuffer trailer = ByteBuffer.wrap(read(channel, size - SnapshotFormat.TRAILER_BYTES, SnapshotFormat.TRAILER_BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long manifestOffset = trailer.getLong();
            long manifestLength = Integer.toUnsignedLong(trailer.getInt());
            byte[] expectedHash = new byte[32];
            trailer.get(expectedHash);
            byte[] magic = new byte[SnapshotFormat.TRAILER_MAGIC.length];
            trailer.get(magic);
            if (!Arrays.equals(magic, SnapshotFormat.TRAILER_MAGIC)) {
                throw new SnapshotException(file + ": no snapshot trailer at the end of the file (truncated or incomplete)");
            }
            if (manifestLength > SnapshotFormat.MAX_MANIFEST_BYTES
                    || manifestOffset < SnapshotFormat.HEADER_BYTES
                    || manifestOffset + manifestLength != size - SnapshotFormat.TRAILER_BYTES) {
                throw new SnapshotException(file + ": trailer points at a manifest outside the file");
            }
            byte[] manifestBytes = read(channel, manifestOffset, (int) manifestLength);
            Hash32 manifestHash = Hashing.sha256(manifestBytes);
            if (!manifestHash.equals(Hash32.of(expectedHash))) {
                throw new SnapshotException(file + ": manifest hash mismatch (the manifest was altered)");
            }
            SnapshotManifest manifest;
            try {
                manifest = SnapshotManifest.decode(manifestBytes, codecs);
            } catch (DecodeException e) {
                throw new SnapshotException(file + ": manifest does not decode: " + e.getMessage(), e);
            }
            manifest.checkStructure(SnapshotFormat.HEADER_BYTES, manifestOffset);
            return new SnapshotReader(file, channel, manifest, manifestHash);
        } catch (IOException | SnapshotException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + buffer.position()));
            }
        }
        return buffer.array();
    }

    public SnapshotManifest manifest() {
        return manifest;
    }

    /** SHA-256 of the manifest: identifies this snapshot (e.g. for resuming an import). */
    public Hash32 manifestHash() {
        return manifestHash;
    }

    /** Reads chunk {@code index} and verifies it completely against the certified root. */
    public SmtRange verifiedChunk(int index) throws IOException, SnapshotException {
        SmtRange range = decodedChunk(index);
        SnapshotManifest.ChunkInfo info = manifest.chunks().get(index);
        if (!SmtRangeProof.verify(manifest.stateRoot(), info.start(), info.end(), range.entries(), range.proof())) {
            throw SnapshotException.inChunk(index, manifest.chunks().size(),
                    "range proof does not verify against the certified state root " + manifest.stateRoot());
        }
        return range;
    }

    /**
     * Reads chunk {@code index} and checks its hash, decompression, decoding and entry count, but not
     * its range proof: for callers that verify the proof themselves (the importer's tree builder does,
     * with the same hashing that builds the tree).
     */
    public SmtRange decodedChunk(int index) throws IOException, SnapshotException {
        int total = manifest.chunks().size();
        SnapshotManifest.ChunkInfo info = manifest.chunks().get(index);
        byte[] compressed = read(channel, info.offset(), info.compressedBytes());
        if (!Hashing.sha256(compressed).equals(info.compressedHash())) {
            throw SnapshotException.inChunk(index, total, "hash mismatch (the chunk was altered)");
        }
        SmtRange range;
        try {
            range = SnapshotFormat.decodeChunk(SnapshotFormat.decompress(compressed, info.uncompressedBytes()));
        } catch (DecodeException e) {
            throw SnapshotException.inChunk(index, total, "does not decode: " + e.getMessage());
        }
        if (range.entries().size() != info.entries()) {
            throw SnapshotException.inChunk(index, total, range.entries().size() + " entries, manifest says " + info.entries());
        }
        return range;
    }

    /** Verifies every chunk; returns the number of state entries. */
    public long verifyAll(SnapshotProgress progress) throws IOException, SnapshotException {
        long entries = 0;
        int total = manifest.chunks().size();
        for (int i = 0; i < total; i++) {
            entries += verifiedChunk(i).entries().size();
            SnapshotManifest.ChunkInfo info = manifest.chunks().get(i);
            progress.chunkDone(i + 1, total, info.offset() + info.compressedBytes());
        }
        return entries;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
