package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.wire.PeerEnvelope;
import org.meshchain.node.wire.WireCodec;

/**
 * Validator 3 is replaced by an impostor holding its key that floods the others with garbage: validly
 * signed envelopes with undecodable payloads, envelopes with broken signatures, and more messages per
 * second than the rate limits allow. The three honest validators ban it and keep committing at no less
 * than 80% of their rate with validator 3 simply absent.
 */
class ImpostorTest {

    @TempDir
    Path dir;

    private static final Duration WINDOW = Duration.ofSeconds(20);

    private record Flood() {}

    /**
     * Sends 10 envelopes to each target every 10 ms (3,000/s in all), replayed from 200 pre-made ones
     * per target so the impostor's own signing does not compete with the honest nodes for the CPU.
     */
    static Behavior<Flood> flooder(ChainId chainId, Ed25519PrivateKey key, List<ActorRef<PeerEnvelope>> targets,
            List<Address> targetAddresses) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<List<PeerEnvelope>> garbage = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            List<PeerEnvelope> forTarget = new ArrayList<>();
            for (int n = 0; n < 200; n++) {
                byte[] payload = new byte[random.nextInt(16, 512)];
                random.nextBytes(payload);
                WireCodec.Kind kind = WireCodec.Kind.values()[random.nextInt(WireCodec.Kind.values().length)];
                PeerEnvelope signed = PeerEnvelope.sign(chainId, key, targetAddresses.get(i), kind, payload);
                forTarget.add(n % 2 == 0 ? signed : new PeerEnvelope(signed.from(), signed.to(), signed.kind(),
                        Bytes.of(payload), Ed25519Signature.of(new byte[64])));
            }
            garbage.add(forTarget);
        }
        return Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(new Flood(), Duration.ofMillis(10));
            int[] next = new int[1];
            return Behaviors.receive(Flood.class).onMessage(Flood.class, f -> {
                for (int i = 0; i < targets.size(); i++) {
                    for (int n = 0; n < 10; n++) {
                        targets.get(i).tell(garbage.get(i).get(next[0]++ % 200));
                    }
                }
                return Behaviors.same();
            }).build();
        });
    }

    private static long committedIn(Node node, Duration window) throws InterruptedException {
        long start = node.state().committedHeight();
        TimeUnit.MILLISECONDS.sleep(window.toMillis());
        return node.state().committedHeight() - start;
    }

    @Test
    void floodingImpostorIsBannedAndTheOthersKeepTheirRate() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 2, null)) {
            for (int i = 0; i < 3; i++) {
                cluster.devnet.start(i, cluster.options());
            }
            ClusterFixture.await("height 5 without validator 3", Duration.ofSeconds(90),
                    () -> cluster.node(0).state().committedHeight() >= 5);
            long baseline = committedIn(cluster.node(0), WINDOW);

            Ed25519PrivateKey impostorKey = cluster.devnet.validatorKeys().get(3);
            Address impostor = Address.of(impostorKey.publicKey());
            Config config = ConfigFactory.parseString("""
                    pekko.actor.provider = remote
                    pekko.remote.artery.canonical.hostname = "127.0.0.1"
                    pekko.remote.artery.canonical.port = %d
                    pekko.loglevel = ERROR
                    """.formatted(cluster.devnet.layout().port(3))).withFallback(Node.PEKKO_SETTINGS).withFallback(ConfigFactory.load());
            ActorSystem<Void> impostorSystem = ActorSystem.create(Behaviors.setup(ctx -> {
                ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
                List<ActorRef<PeerEnvelope>> targets = new ArrayList<>();
                List<Address> addresses = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    targets.add(resolver.resolveActorRef("pekko://meshchain@127.0.0.1:" + cluster.devnet.layout().port(i)
                            + "/user/peers"));
                    addresses.add(cluster.node(i).validator());
                }
                ctx.spawn(flooder(cluster.devnet.genesis().chainId(), impostorKey, targets, addresses), "flood");
                return Behaviors.empty();
            }), "meshchain", config);
            try {
                ClusterFixture.await("every honest validator bans the impostor", Duration.ofSeconds(30),
                        () -> cluster.devnet.running().stream().allMatch(n -> banned(n, impostor)));
                long underFlood = committedIn(cluster.node(0), WINDOW);
                System.out.println("blocks per " + WINDOW.toSeconds() + " s: validator 3 absent " + baseline
                        + ", impostor flooding " + underFlood);
                assertThat(underFlood).isGreaterThanOrEqualTo((long) Math.ceil(0.8 * baseline));
                assertThat(cluster.devnet.running()).allMatch(n -> banned(n, impostor));
            } finally {
                impostorSystem.terminate();
                impostorSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean banned(Node node, Address peer) {
        for (PeerInfo info : node.services().peers()) {
            if (info.validator().equals(peer)) {
                return info.bannedUntil().isPresent();
            }
        }
        return false;
    }
}
