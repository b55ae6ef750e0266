package org.meshchain.deploy.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The devnet's embedded broker speaks MQTT 3.1.1 on loopback, keeps retained messages across restarts, frees its port. */
class EmbeddedBrokerTest {

    @TempDir
    Path dir;

    @Test
    void retainedMessagesSurviveARestartAndClosingFreesThePort() throws Exception {
        int port;
        byte[] header = new byte[2_000]; // larger than a device frame, like a certified header
        header[0] = 7;
        try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir.resolve("broker"))) {
            port = broker.port();
            assertThat(port).isPositive();
            assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + port);
            assertThat(broker.loopbackOnly()).isTrue();
            Mqtt3BlockingClient publisher = client(port, "publisher");
            publisher.publishWith().topic("meshchain/test/headers").payload(header).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
            publisher.disconnect();
            assertThat(retained(port, "reader-1")).contains(header);

            // the port is taken while it runs: a second broker fails with a message naming the address
            assertThatThrownBy(() -> EmbeddedBroker.start("127.0.0.1", port, dir.resolve("other")))
                    .isInstanceOf(IOException.class).hasMessageContaining("127.0.0.1:" + port);
        }
        assertThat(canBind(port)).as("port free after close").isTrue();
        assertThat(Files.list(dir.resolve("broker")).findAny()).as("state kept under the data dir").isPresent();

        try (EmbeddedBroker again = EmbeddedBroker.start("127.0.0.1", port, dir.resolve("broker"))) {
            assertThat(retained(again.port(), "reader-2")).as("retained message after restart").contains(header);
        }
    }

    @Test
    void refusesHostNamesAndBadPorts() {
        assertThatThrownBy(() -> EmbeddedBroker.start("broker.example", 0, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broker.example").hasMessageContaining("IP address");
        assertThatThrownBy(() -> EmbeddedBroker.start("127.0.0.1", 70_000, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }

    private static Mqtt3BlockingClient client(int port, String id) {
        Mqtt3BlockingClient client = Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port).buildBlocking();
        client.connect();
        return client;
    }

    private static Optional<byte[]> retained(int port, String id) throws InterruptedException {
        Mqtt3BlockingClient reader = client(port, id);
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = reader.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            reader.subscribeWith().topicFilter("meshchain/test/headers").qos(MqttQos.AT_LEAST_ONCE).send();
            Optional<Mqtt3Publish> message = publishes.receive(10, TimeUnit.SECONDS);
            return message.map(Mqtt3Publish::getPayloadAsBytes);
        } finally {
            reader.disconnect();
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
