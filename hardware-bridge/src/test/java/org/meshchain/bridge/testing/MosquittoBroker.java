package org.meshchain.bridge.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (Debian's {@code mosquitto}, installed by {@code .ci/setup}) on a free loopback
 * port with a generated config and its own persistence directory, for tests and the bridge
 * benchmark. It can be stopped and started again on the same port mid-test (sessions and retained
 * messages survive through its persistence file, as with a real broker restart).
 */
public final class MosquittoBroker implements AutoCloseable {

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto"),
            Path.of("/usr/local/sbin/mosquitto"));

    private final Path dir;
    private final int port;
    private final Path log;
    private Process process;

    private MosquittoBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.log = dir.resolve("mosquitto.log");
    }

    /** Starts a broker in {@code dir} (config, persistence and log live there). */
    public static MosquittoBroker start(Path dir) throws IOException {
        MosquittoBroker broker = new MosquittoBroker(dir, freePort());
        Files.writeString(dir.resolve("mosquitto.conf"), """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence true
                persistence_location %s/
                autosave_interval 1
                max_queued_messages 1000000
                max_inflight_messages 1000
                max_packet_size 1048576
                log_dest file %s
                log_type error
                log_type warning
                log_type notice
                """.formatted(broker.port, dir, broker.log));
        broker.startProcess();
        return broker;
    }

    public static Path executable() {
        for (Path p : CANDIDATES) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("mosquitto not installed (run .ci/setup; Debian package 'mosquitto')");
    }

    public static boolean installed() {
        return CANDIDATES.stream().anyMatch(Files::isExecutable);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Stops the broker (SIGTERM: it saves its persistence file) and waits for it to exit. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        process = null;
    }

    /** Starts the broker again on the same port. */
    public synchronized void restart() throws IOException {
        if (running()) {
            throw new IllegalStateException("already running");
        }
        startProcess();
    }

    private synchronized void startProcess() throws IOException {
        process = new ProcessBuilder(executable().toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.stdout").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited at start-up: " + Files.readString(dir.resolve("mosquitto.stdout"))
                        + (Files.exists(log) ? Files.readString(log) : ""));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for mosquitto", e);
                }
            }
        }
        throw new IOException("mosquitto did not listen on port " + port + " within 10 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
