package org.meshchain.bridge.micronode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;
import org.meshchain.core.crypto.Hashing;

/**
 * A micronode's flash, done the way the micronode audit asked: every write goes to a temp file,
 * is fsynced, renamed over the old file atomically, and the directory is fsynced (so the rename
 * itself survives power loss). Every file carries the SHA-256 of its content and is verified on read:
 * a torn or corrupted file is reported as {@link CorruptFileException}, never returned as data.
 * Layout of a file: {@code "MCN1" || SHA-256(content) [32] || content}.
 */
public final class AtomicStore {

    private static final byte[] MAGIC = {'M', 'C', 'N', '1'};
    private static final int HEADER = MAGIC.length + 32;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
    public static final int MAX_FILE_BYTES = 1024 * 1024;

    /** A stored file whose content does not match its hash (torn write, bit rot, tampering). */
    public static final class CorruptFileException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptFileException(Path file, String why) {
            super(file + ": " + why);
        }
    }

    private final Path dir;

    public AtomicStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        // a temp file left by a crash mid-write is garbage by construction: the rename never happened
        try (var stream = Files.newDirectoryStream(this.dir, "*.tmp")) {
            for (Path leftover : stream) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    public Path directory() {
        return dir;
    }

    private Path file(String name) {
        if (!NAME.matcher(name).matches() || name.endsWith(".tmp")) {
            throw new IllegalArgumentException("store file name must match " + NAME + " and not end in .tmp: " + name);
        }
        return dir.resolve(name);
    }

    /** Replaces {@code name} with {@code content}, atomically and durably. */
    public void write(String name, byte[] content) throws IOException {
        if (content.length > MAX_FILE_BYTES) {
            throw new IOException("store file " + name + " of " + content.length + " bytes over " + MAX_FILE_BYTES);
        }
        Path target = file(name);
        Path temp = dir.resolve(name + ".tmp");
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + content.length);
        buffer.put(MAGIC).put(Hashing.sha256(content).toByteArray()).put(content).flip();
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException("the data directory's file system cannot rename atomically: " + dir, e);
        }
        syncDirectory();
    }

    /** The verified content of {@code name}, or empty if it does not exist. */
    public Optional<byte[]> read(String name) throws IOException {
        Path f = file(name);
        byte[] all;
        try {
            if (Files.size(f) > MAX_FILE_BYTES + HEADER) {
                throw new CorruptFileException(f, "larger than any file this store writes");
            }
            all = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (all.length < HEADER || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptFileException(f, "no store header");
        }
        byte[] content = Arrays.copyOfRange(all, HEADER, all.length);
        byte[] expected = Arrays.copyOfRange(all, MAGIC.length, HEADER);
        if (!Arrays.equals(Hashing.sha256(content).toByteArray(), expected)) {
            throw new CorruptFileException(f, "content does not match its SHA-256");
        }
        return Optional.of(content);
    }

    public void delete(String name) throws IOException {
        if (Files.deleteIfExists(file(name))) {
            syncDirectory();
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
