package org.meshchain.bridge.testing;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.meshchain.bridge.protocol.BridgeReply;
import org.meshchain.bridge.protocol.DeviceTopics;
import org.meshchain.bridge.protocol.ReplyCode;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.types.Address;

/**
 * A device connection for tests that publishes arbitrary bytes (well-formed or not) and collects what
 * the bridge answers on the device's reply and proof topics.
 */
public final class RawDevice implements AutoCloseable {

    private final Mqtt3AsyncClient client;
    private final DeviceTopics topics;
    private final Address device;
    private final BlockingQueue<BridgeReply> replies = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> proofs = new LinkedBlockingQueue<>();

    public RawDevice(int port, DeviceTopics topics, Address device) {
        this.topics = topics;
        this.device = device;
        this.client = Mqtt3Client.builder().identifier("t" + UUID.randomUUID().toString().substring(0, 20).replace("-", ""))
                .serverHost("127.0.0.1").serverPort(port).buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, p -> {
            String topic = p.getTopic().toString();
            if (topic.equals(topics.reply(device))) {
                try {
                    replies.add(BridgeReply.decode(p.getPayloadAsBytes()));
                } catch (DecodeException e) {
                    throw new AssertionError("bridge sent an undecodable reply", e);
                }
            } else if (topic.equals(topics.proof(device))) {
                proofs.add(p.getPayloadAsBytes());
            }
        });
        client.connectWith().cleanSession(true).send().join();
        client.subscribeWith().topicFilter(topics.reply(device)).qos(MqttQos.AT_LEAST_ONCE).send().join();
        client.subscribeWith().topicFilter(topics.proof(device)).qos(MqttQos.AT_LEAST_ONCE).send().join();
    }

    public Address device() {
        return device;
    }

    public void publish(DeviceTopics.Inbound channel, byte[] payload) {
        client.publishWith().topic(topics.inbound(device, channel)).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send().join();
    }

    /** The next reply, failing the test if none arrives in {@code seconds}. */
    public BridgeReply nextReply(int seconds) throws InterruptedException {
        BridgeReply reply = replies.poll(seconds, TimeUnit.SECONDS);
        if (reply == null) {
            throw new AssertionError("no reply from the bridge within " + seconds + " s");
        }
        return reply;
    }

    /** The next reply that is not a commit notice (those of earlier transactions may arrive in between). */
    public BridgeReply nextNonCommittedReply(int seconds) throws InterruptedException {
        while (true) {
            BridgeReply reply = nextReply(seconds);
            if (reply.code() != ReplyCode.COMMITTED) {
                return reply;
            }
        }
    }

    public BridgeReply pollReply(long millis) throws InterruptedException {
        return replies.poll(millis, TimeUnit.MILLISECONDS);
    }

    public byte[] nextProof(int seconds) throws InterruptedException {
        byte[] proof = proofs.poll(seconds, TimeUnit.SECONDS);
        if (proof == null) {
            throw new AssertionError("no proof reply within " + seconds + " s");
        }
        return proof;
    }

    @Override
    public void close() {
        client.disconnect().exceptionally(e -> null).join();
    }
}
