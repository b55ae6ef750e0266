package org.meshchain.bridge.micronode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;

/**
 * A fleet of simulated micronodes against one broker ({@code bin/meshchain devices simulate}): each
 * device syncs its account through a verified proof, then sends a report every report interval
 * (alternating with a small transfer to the next device). Counts replies by code. Device keys are
 * derived from a fleet seed so an operator can register the same devices beforehand
 * ({@link #deviceKey}).
 */
public final class DeviceFleet implements AutoCloseable {

    private final List<Micronode> devices = new ArrayList<>();
    private final Map<ReplyCode, LongAdder> replies = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder failedToSend = new LongAdder();
    private final AtomicLong startFailures = new AtomicLong();

    /** Device {@code index}'s key: seed = {@code H("DeviceSeed", fleetSeed || index u32 le)}. */
    public static Ed25519PrivateKey deviceKey(String fleetSeed, int index) {
        byte[] seed = fleetSeed.getBytes(StandardCharsets.UTF_8);
        ByteBuffer in = ByteBuffer.allocate(seed.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        in.put(seed).putInt(index);
        return Ed25519PrivateKey.fromSeed(Hashing.tagged("DeviceSeed", in.array()).toByteArray());
    }

    /** Starts {@code count} devices; a device that cannot start is counted and skipped (the fleet goes on). */
    public static DeviceFleet start(int count, String fleetSeed, String chainId, String brokerUrl, Path dataRoot,
            List<Ed25519PublicKey> validators, long reportIntervalMs, PrintWriter log) {
        if (count < 1 || count > 100_000) {
            throw new IllegalArgumentException("devices.count = " + count + ": must be in 1..100000");
        }
        DeviceFleet fleet = new DeviceFleet();
        for (int i = 0; i < count; i++) {
            Ed25519PrivateKey key = deviceKey(fleetSeed, i);
            Address address = Address.of(key.publicKey());
            MicronodeConfig config = MicronodeConfig.of(chainId, address.toHex(), key.publicKey(), brokerUrl,
                    dataRoot.resolve("device-" + i), validators, 0, 1, reportIntervalMs, 16, 64, 10_000);
            try {
                fleet.devices.add(Micronode.start(config, key));
            } catch (IOException e) {
                fleet.startFailures.incrementAndGet();
                log.println("device " + i + " (" + address.toHex() + ") did not start: " + e.getMessage());
            }
        }
        return fleet;
    }

    public List<Micronode> devices() {
        return List.copyOf(devices);
    }

    public long startFailures() {
        return startFailures.get();
    }

    /** Syncs every device's account (verified proof); returns how many succeeded. */
    public int syncAccounts(PrintWriter log) {
        int ok = 0;
        for (Micronode device : devices) {
            try {
                device.syncAccount();
                ok++;
            } catch (Exception e) {
                log.println("device " + device.address().toHex() + ": account not synced: " + e.getMessage());
            }
        }
        return ok;
    }

    /** One round: every device sends one frame (even rounds a report, odd rounds a 1-unit transfer to its neighbour). */
    public void sendRound(long round) {
        for (int i = 0; i < devices.size(); i++) {
            Micronode device = devices.get(i);
            try {
                Micronode.Prepared frame = round % 2 == 0
                        ? device.prepareReport(("t=" + System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII))
                        : device.prepareTransfer(devices.get((i + 1) % devices.size()).address(), 1);
                var futures = device.send(frame);
                sent.increment();
                futures[0].whenComplete((reply, failure) -> count(reply));
                futures[1].whenComplete((reply, failure) -> {
                    if (reply != null && reply.code() == ReplyCode.COMMITTED) {
                        count(reply);
                    }
                });
            } catch (IOException | RuntimeException e) {
                failedToSend.increment();
            }
        }
    }

    private void count(BridgeReply reply) {
        if (reply != null) {
            replies.computeIfAbsent(reply.code(), c -> new LongAdder()).increment();
        }
    }

    public long sent() {
        return sent.sum();
    }

    public Map<ReplyCode, Long> replies() {
        Map<ReplyCode, Long> out = new EnumMap<>(ReplyCode.class);
        replies.forEach((code, n) -> out.put(code, n.sum()));
        return out;
    }

    public String summary() {
        StringBuilder s = new StringBuilder("devices=" + devices.size() + " sent=" + sent.sum());
        replies().forEach((code, n) -> s.append(' ').append(code.label()).append('=').append(n));
        if (failedToSend.sum() > 0) {
            s.append(" send_failures=").append(failedToSend.sum());
        }
        long healthy = devices.stream().filter(d -> d.health().ok()).count();
        s.append(" healthy=").append(healthy);
        long trusted = devices.stream().mapToLong(Micronode::trustedHeight).max().orElse(-1);
        s.append(" trusted_height=").append(trusted);
        return s.toString();
    }

    @Override
    public void close() {
        for (Micronode device : devices) {
            device.close();
        }
    }
}
