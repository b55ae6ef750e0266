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

    /** Credentials of a secure broker ({@link #startSecure}). */
    public static final String USER = "bridge";
    public static final String PASSWORD = "s3cret-pass";
    public static final String TRUST_STORE_PASSWORD = "changeit";

    private final Path dir;
    private final int port;
    private final Path log;
    private final boolean tls;
    private Process process;

    private MosquittoBroker(Path dir, int port, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.log = dir.resolve("mosquitto.log");
        this.tls = tls;
    }

    /**
     * A broker that speaks only MQTT over TLS (a CA and a server certificate for 127.0.0.1 generated
     * with openssl) and only to {@link #USER}/{@link #PASSWORD}; {@link #trustStore()} holds the CA
     * as PKCS12 for the bridge.
     */
    public static MosquittoBroker startSecure(Path dir) throws IOException, InterruptedException {
        MosquittoBroker broker = new MosquittoBroker(dir, freePort(), true);
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=meshchain-test-ca",
                "-keyout", "ca.key", "-out", "ca.crt");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
                "-out", "server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
        run(dir, "mosquitto_passwd", "-c", "-b", "passwd", USER, PASSWORD);
        run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-keystore", "truststore.p12",
                "-storetype", "PKCS12", "-storepass", TRUST_STORE_PASSWORD);
        Files.writeString(dir.resolve("mosquitto.conf"), """
                user %s
                per_listener_settings true
                listener %d 127.0.0.1
                cafile %s/ca.crt
                certfile %s/server.crt
                keyfile %s/server.key
                allow_anonymous false
                password_file %s/passwd
                log_dest file %s
                log_type error
                log_type warning
                log_type notice
                """.formatted(System.getProperty("user.name"), broker.port, dir, dir, dir, dir, broker.log));
        broker.startProcess();
        return broker;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** Starts a broker in {@code dir} (config, persistence and log live there). */
    public static MosquittoBroker start(Path dir) throws IOException {
        MosquittoBroker broker = new MosquittoBroker(dir, freePort(), false);
        // "user": run as the test's own user (as root, mosquitto would drop to its own user and could not
        // read or write the test's private temp directory)
        Files.writeString(dir.resolve("mosquitto.conf"), """
                user %s
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
                """.formatted(System.getProperty("user.name"), broker.port, dir, broker.log));
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
        return (tls ? "ssl" : "tcp") + "://127.0.0.1:" + port;
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
