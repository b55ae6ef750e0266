package org.meshchain.deploy.devnet;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The devnet's MQTT broker (ADR 0045): Moquette, MQTT 3.1.1, in this JVM, bound to one address
 * (loopback by default). Deployments and tests use a real Mosquitto (DESIGN 6); this exists so that
 * {@code meshchain devnet} needs nothing installed. Anonymous clients are allowed (a devnet is not
 * a deployment): bind it to a LAN address only to let a real device in, on a network you trust. Sessions and retained messages persist under {@code dataDir} so the bridge's persistent
 * session and the retained header survive a devnet restart.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** Frames are at most 1 KiB, but headers and proofs (chain → device) are larger. */
    static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** Queued messages per offline persistent session (Moquette's default is 1024). */
    static final int SESSION_QUEUE_SIZE = 100_000;

    private final Server server;
    private final String host;
    private final int port;
    private volatile boolean stopped;

    private final boolean loopbackOnly;

    private EmbeddedBroker(Server server, String host, int port, boolean loopbackOnly) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.loopbackOnly = loopbackOnly;
    }

    /** False when bound to a LAN or wildcard address (for a real device): anyone who can reach it may connect. */
    public boolean loopbackOnly() {
        return loopbackOnly;
    }

    /**
     * Starts a broker on {@code host:port} ({@code port} 0: a free port), keeping its state in
     * {@code dataDir}. Fails with a message naming the address when the port is taken.
     */
    public static EmbeddedBroker start(String host, int port, Path dataDir) throws IOException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("broker port " + port + ": must be in 0..65535");
        }
        InetAddress address;
        try {
            // literals only (no name lookup): getByName does not resolve a string that is an address
            if (!host.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new java.net.UnknownHostException(host);
            }
            address = InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("broker host " + host + ": must be an IP address (127.0.0.1 by default)");
        }
        Files.createDirectories(dataDir);
        Properties props = new Properties();
        props.setProperty("host", host);
        props.setProperty("port", Integer.toString(port));
        // no WebSocket/TLS listeners: one plain MQTT port on loopback
        props.setProperty("websocket_port", "disabled");
        props.setProperty("allow_anonymous", "true");
        // mosquitto_sub/pub and some firmware connect with an empty client id (MQTT 3.1.1 lets the broker assign one)
        props.setProperty("allow_zero_byte_client_id", "true");
        props.setProperty("persistence_enabled", "true");
        props.setProperty("data_path", dataDir.toAbsolutePath().toString());
        props.setProperty("netty.mqtt.message_size", Integer.toString(MAX_MESSAGE_BYTES));
        props.setProperty("session_queue_size", Integer.toString(SESSION_QUEUE_SIZE));
        // Moquette reports usage to its authors by default; a devnet must not phone home
        props.setProperty("telemetry_enabled", "false");
        props.setProperty("use_metrics", "false");
        props.setProperty("use_bugsnag", "false");
        // flush each write: device round trips stay in milliseconds
        props.setProperty("immediate_buffer_flush", "true");
        Server server = new Server();
        try {
            server.startServer(new MemoryConfig(props), List.of());
        } catch (IOException | RuntimeException e) {
            server.stopServer();
            throw new IOException("the devnet MQTT broker cannot listen on " + host + ":" + port + ": " + describe(e), e);
        }
        // Moquette records the bound port from a Netty listener that may run just after startServer returns
        int bound = boundPort(server);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (bound <= 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            bound = boundPort(server);
        }
        if (bound <= 0) {
            server.stopServer();
            throw new IOException("the devnet MQTT broker did not bind " + host + ":" + port
                    + " (is the port taken? use --broker-port)");
        }
        // clients in this JVM reach a wildcard listener through loopback
        return new EmbeddedBroker(server, address.isAnyLocalAddress() ? "127.0.0.1" : host, bound, address.isLoopbackAddress());
    }

    /**
     * The listener's port, or -1 while it is not known yet. Moquette 0.17 fills its port map from the Netty
     * bind callback without synchronisation, so reading it during the bind can throw; that is "not yet".
     */
    private static int boundPort(Server server) {
        try {
            return server.getPort();
        } catch (java.util.ConcurrentModificationException e) {
            return -1;
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    public int port() {
        return port;
    }

    /** The URL clients (the bridge, devices, {@code mosquitto_sub}) connect to. */
    public String url() {
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Stops the listener and closes the store; idempotent. */
    @Override
    public synchronized void close() {
        if (!stopped) {
            stopped = true;
            server.stopServer();
        }
    }
}
