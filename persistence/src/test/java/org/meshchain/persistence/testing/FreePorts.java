package org.meshchain.persistence.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds loopback ports for in-JVM clusters in tests and benchmarks. Lives in this test-jar because
 * the actors and bridge tests and the benchmarks all depend on it.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** A base port with {@code count} consecutive ports free right now (random base, so parallel runs rarely collide). */
    public static int consecutive(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            boolean free = true;
            for (int i = 0; i < count && free; i++) {
                try (ServerSocket socket = new ServerSocket(base + i)) {
                    socket.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free ports found");
    }
}
