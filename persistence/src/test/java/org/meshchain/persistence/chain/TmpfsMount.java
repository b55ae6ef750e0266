package org.meshchain.persistence.chain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a test, to get a real "disk full" or "read-only file system" from the
 * kernel rather than a simulated one. Needs root (CI and the project machines run as root).
 */
final class TmpfsMount implements AutoCloseable {

    private final Path mountPoint;

    private TmpfsMount(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code sizeMiB} at {@code mountPoint}; returns null if this machine does not allow it. */
    static TmpfsMount tryMount(Path mountPoint, int sizeMiB) throws IOException, InterruptedException {
        if (run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeMiB + "m", "tmpfs", mountPoint.toString())) != 0) {
            return null;
        }
        return new TmpfsMount(mountPoint);
    }

    void remount(String options) throws IOException, InterruptedException {
        int code = run(List.of("mount", "-o", "remount," + options, mountPoint.toString()));
        if (code != 0) {
            throw new IOException("remount " + options + " of " + mountPoint + " failed with exit code " + code);
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("umount", "-l", mountPoint.toString()));
    }
}
