package org.meshchain.deploy.devnet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.meshchain.bridge.micronode.DeviceFleet;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.SubmitOutcome;

/**
 * The devnet's simulated field devices (ADR 0046): a fleet of micronodes whose keys derive from a seed
 * kept in {@code DIR/devices/fleet.seed}, registered on chain by a funded demo account (the owner), and
 * sending a report or a transfer every interval through the embedded broker and the bridge. Each
 * device's flash (counter lease, nonce, headers) lives in {@code DIR/devices/device-i}, so a devnet run
 * again resumes the same devices with counters above every one used before.
 */
public final class DevnetDevices implements AutoCloseable {

    /** What the owner gives each device: fees for a long devnet session. */
    static final long DEVICE_FUNDS = 10_000_000;
    /** Locked by RegisterDevice (ADR 0020). */
    static final long COLLATERAL = 5_000;
    /** A device below this balance is topped up to {@link #DEVICE_FUNDS} at start. */
    static final long TOP_UP_BELOW = DEVICE_FUNDS / 10;
    static final long OWNER_FEE = 10;
    static final String SEED_FILE = "fleet.seed";

    private final DeviceFleet fleet;
    private final ScheduledExecutorService sender;
    private final AtomicLong round = new AtomicLong();
    private final AtomicBoolean synced = new AtomicBoolean();
    private final PrintWriter log;
    private final List<Address> addresses;

    private DevnetDevices(DeviceFleet fleet, List<Address> addresses, PrintWriter log) {
        this.fleet = fleet;
        this.addresses = List.copyOf(addresses);
        this.log = log;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "devnet-devices");
            t.setDaemon(true);
            return t;
        });
    }

    /** The fleet seed of the devnet in {@code devicesDir}: created (random) at first use, then reused. */
    public static String fleetSeed(Path devicesDir) throws IOException {
        Path file = devicesDir.resolve(SEED_FILE);
        if (Files.exists(file)) {
            String seed = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!seed.matches("[0-9a-f]{64}")) {
                throw new IOException(file + ": not a fleet seed (64 hex digits); delete it only together with the devices' flash");
            }
            return seed;
        }
        Files.createDirectories(devicesDir);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String seed = HexFormat.of().formatHex(random);
        Path tmp = devicesDir.resolve(SEED_FILE + ".tmp");
        Files.writeString(tmp, seed + "\n", StandardCharsets.US_ASCII);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return seed;
    }

    /** The device keys of a fleet of {@code count} devices. */
    public static List<Ed25519PrivateKey> deviceKeys(String seed, int count) {
        List<Ed25519PrivateKey> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(DeviceFleet.deviceKey(seed, i));
        }
        return keys;
    }

    /**
     * Funds and registers (from {@code owner}) every device not yet registered, tops up devices low on
     * funds, and waits until all are registered on {@code node}. Returns how many were registered now.
     */
    public static int registerAll(NodeServices node, Ed25519PrivateKey owner, List<Ed25519PublicKey> devices, long timeoutMs)
            throws IOException, InterruptedException {
        ChainId chain = node.chainId();
        Address ownerAddress = Address.of(owner.publicKey());
        long nonce = account(node, ownerAddress).nextNonce();
        long expiry = node.status().committedHeight() + 10_000;
        List<SignedTransaction> txs = new ArrayList<>();
        int registering = 0;
        for (Ed25519PublicKey device : devices) {
            Address address = Address.of(device);
            boolean registered = node.readState(StatePaths.device(address)).isPresent();
            long balance = account(node, address).balance();
            if (balance < TOP_UP_BELOW) {
                txs.add(SignedTransaction.sign(new TransactionBody(chain, ownerAddress, nonce++, OWNER_FEE, expiry,
                        new Payload.Transfer(address, DEVICE_FUNDS - balance)), owner));
            }
            if (!registered) {
                registering++;
                txs.add(SignedTransaction.sign(new TransactionBody(chain, ownerAddress, nonce++, OWNER_FEE, expiry,
                        new Payload.RegisterDevice(device, ownerAddress, COLLATERAL)), owner));
            }
        }
        for (SignedTransaction tx : txs) {
            SubmitOutcome outcome;
            try {
                outcome = node.submitTransaction(tx).toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("device set-up transaction " + tx.body().payload() + " not submitted: " + e, e);
            }
            if (!(outcome instanceof SubmitOutcome.Accepted)) {
                throw new IOException("device set-up transaction " + tx.body().payload() + " refused: " + outcome);
            }
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        for (Ed25519PublicKey device : devices) {
            Address address = Address.of(device);
            while (node.readState(StatePaths.device(address)).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("device " + address.toHex() + " not registered on chain within " + timeoutMs + " ms");
                }
                Thread.sleep(100);
            }
        }
        // the last funding transfer commits with (or before) the last registration: same sender, lower nonce
        return registering;
    }

    private static AccountState account(NodeServices node, Address address) throws IOException {
        var bytes = node.readState(StatePaths.account(address));
        if (bytes.isEmpty()) {
            return AccountState.EMPTY;
        }
        try {
            return AccountState.decode(bytes.get());
        } catch (DecodeException e) {
            throw new IOException("account " + address.toHex() + " does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Registers the fleet (see {@link #registerAll}), starts its micronodes against {@code brokerUrl}
     * and begins sending one frame per device every {@code intervalMs}.
     */
    public static DevnetDevices start(NodeServices node, Ed25519PrivateKey owner, List<Ed25519PublicKey> validators,
            String brokerUrl, Path devicesDir, int count, long intervalMs, PrintWriter log) throws IOException, InterruptedException {
        if (count < 1 || count > 1_000) {
            throw new IllegalArgumentException("--devices " + count + ": must be in 1..1000 (or --no-devices)");
        }
        if (intervalMs < 100) {
            throw new IllegalArgumentException("--device-interval-ms " + intervalMs + ": must be at least 100");
        }
        String seed = fleetSeed(devicesDir);
        List<Ed25519PrivateKey> keys = deviceKeys(seed, count);
        registerAll(node, owner, keys.stream().map(Ed25519PrivateKey::publicKey).toList(), 60_000);
        DeviceFleet fleet = DeviceFleet.start(count, seed, node.chainId().value(), brokerUrl, devicesDir, validators, intervalMs, log);
        if (fleet.devices().isEmpty()) {
            fleet.close();
            throw new IOException("no simulated device could start against " + brokerUrl);
        }
        DevnetDevices devices = new DevnetDevices(fleet, keys.stream().map(k -> Address.of(k.publicKey())).toList(), log);
        devices.sender.scheduleWithFixedDelay(devices::tick, 0, intervalMs, TimeUnit.MILLISECONDS);
        return devices;
    }

    private void tick() {
        try {
            if (!synced.get()) {
                // each device learns its nonce from a proof it verifies; retried until all have
                if (fleet.syncAccounts(log) < fleet.devices().size()) {
                    log.flush();
                    return;
                }
                synced.set(true);
            }
            fleet.sendRound(round.getAndIncrement());
        } catch (RuntimeException e) {
            log.println("devnet devices: " + e);
            log.flush();
        }
    }

    public List<Address> addresses() {
        return addresses;
    }

    public int running() {
        return fleet.devices().size();
    }

    public long sent() {
        return fleet.sent();
    }

    /** Replies the devices received, by code (ACCEPTED, COMMITTED, and every rejection). */
    public Map<ReplyCode, Long> replies() {
        return fleet.replies();
    }

    /** Replies that were a rejection (neither ACCEPTED nor COMMITTED). */
    public long rejected() {
        return replies().entrySet().stream()
                .filter(e -> e.getKey() != ReplyCode.ACCEPTED && e.getKey() != ReplyCode.COMMITTED)
                .mapToLong(Map.Entry::getValue).sum();
    }

    public boolean synced() {
        return synced.get();
    }

    /** Stops sending, then closes every micronode (each saves its state and disconnects). */
    @Override
    public void close() {
        sender.shutdownNow();
        try {
            sender.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fleet.close();
    }
}
