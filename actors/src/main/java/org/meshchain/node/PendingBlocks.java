package org.meshchain.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.UncommittedChain;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocks this validator executed that are not committed yet, kept on disk (one synced file each) so
 * that after a restart of the WHOLE network the certified-but-uncommitted tail still exists somewhere:
 * the certificates every node remembers (safety state, justify QCs) point at those blocks, and without
 * them no leader could extend the highest certificate (ADR 0026). Written before the block is
 * executed, so before any vote for it; deleted once committed. Used only by the consensus actor.
 */
final class PendingBlocks {

    private static final Logger LOG = LoggerFactory.getLogger(PendingBlocks.class);
    /** Bound: the consensus core holds at most this many blocks above the committed head. */
    static final int MAX_FILES = 1024;

    private final Path directory;

    PendingBlocks(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + directory + ": " + e.getMessage(), e);
        }
    }

    private Path fileOf(long height, Hash32 id) {
        return directory.resolve(String.format("%020d-%s.block", height, id.toHex()));
    }

    void save(Block block) {
        Path file = fileOf(block.header().height(), block.id());
        if (Files.exists(file)) {
            return;
        }
        Path tmp = directory.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(DomainCodecs.encode(block));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write pending block " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write pending block " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the files of blocks at or below the committed height (committed, or on a dead branch). */
    void prune(long committedHeight) {
        for (Path file : files()) {
            if (heightOf(file) <= committedHeight) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", file, e.toString());
                }
            }
        }
    }

    /**
     * The chain from just above {@code committedHead} to the highest block certified by one of
     * {@code knownCertificates} or by a stored child's justify, with the certificate of its last block;
     * null when nothing above the head can be rebuilt.
     */
    ConsensusMessage.SyncResponse restore(Hash32 committedHead, long committedHeight, List<QuorumCertificate> knownCertificates,
            int maxBlocks) {
        List<Block> kept = new ArrayList<>();
        for (Path file : files()) {
            if (heightOf(file) <= committedHeight) {
                continue;
            }
            try {
                kept.add(DomainCodecs.DEFAULT.decodeBlock(Files.readAllBytes(file)));
            } catch (IOException | DecodeException | RuntimeException e) {
                LOG.warn("ignoring unreadable pending block {}: {}", file, e.toString());
            }
        }
        return UncommittedChain.restore(committedHead, committedHeight, kept, knownCertificates, maxBlocks);
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.block")) {
            for (Path file : stream) {
                files.add(file);
                if (files.size() >= MAX_FILES * 4) {
                    break;
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", directory, e.toString());
        }
        return files;
    }

    private static long heightOf(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.indexOf('-')));
        } catch (RuntimeException e) {
            return Long.MAX_VALUE; // not ours: never pruned, never restored
        }
    }
}
