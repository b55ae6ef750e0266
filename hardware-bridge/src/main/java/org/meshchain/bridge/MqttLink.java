package org.meshchain.bridge;

import com.hivemq.client.mqtt.MqttClientBuilderBase;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedListener;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.TrustManagerFactory;

/**
 * The bridge's MQTT connection (HiveMQ client): QoS 1, persistent session (clean session off /
 * clean start off with a session expiry), automatic reconnect with exponential backoff, optional TLS
 * and username/password. One implementation per protocol version so the rest of the bridge does not
 * care which one the broker speaks.
 */
interface MqttLink {

    /** Starts connecting (and keeps reconnecting with backoff); never blocks. */
    CompletableFuture<Void> connect();

    CompletableFuture<Void> subscribe(List<String> filters);

    CompletableFuture<Void> publish(String topic, byte[] payload, boolean retain);

    boolean isConnected();

    CompletableFuture<Void> disconnect();

    /** Connection events, delivered on a client thread. */
    interface Listener {
        void connected();

        void disconnected(Throwable cause);
    }

    static MqttLink create(BridgeConfig config, Listener listener, BiConsumer<String, byte[]> onPublish) {
        return switch (config.mqttVersion()) {
            case V3_1_1 -> new V3(config, listener, onPublish);
            case V5 -> new V5(config, listener, onPublish);
        };
    }

    /** Settings both protocol versions share: broker address, reconnect backoff, connection listener, TLS. */
    private static <B extends MqttClientBuilderBase<B>> B commonSettings(B builder, BridgeConfig config, Listener listener) {
        B b = builder
                .identifier(config.clientId())
                .serverHost(config.brokerHost())
                .serverPort(config.brokerPort())
                .automaticReconnect()
                .initialDelay(config.reconnectInitialDelay().toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(config.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener((MqttClientConnectedListener) ctx -> listener.connected())
                .addDisconnectedListener((MqttClientDisconnectedListener) ctx -> listener.disconnected(ctx.getCause()));
        if (config.tls()) {
            b = b.sslConfig(sslConfig(config));
        }
        return b;
    }

    private static byte[] passwordBytes(BridgeConfig config) {
        return config.password().orElse("").getBytes(StandardCharsets.UTF_8);
    }

    static MqttClientSslConfig sslConfig(BridgeConfig config) {
        if (config.trustStore().isEmpty()) {
            return MqttClientSslConfig.builder().build();
        }
        try (InputStream in = Files.newInputStream(config.trustStore().get())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, config.trustStorePassword().toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return MqttClientSslConfig.builder().trustManagerFactory(tmf).build();
        } catch (Exception e) {
            throw new BridgeConfig.InvalidConfigException("tls.trust-store", config.trustStore().get().toString(),
                    "must be a PKCS12 trust store readable with tls.trust-store-password (" + e.getMessage() + ")");
        }
    }

    final class V3 implements MqttLink {
        private final BridgeConfig config;
        private final Mqtt3AsyncClient client;

        V3(BridgeConfig config, Listener listener, BiConsumer<String, byte[]> onPublish) {
            this.config = config;
            Mqtt3ClientBuilder b = commonSettings(Mqtt3Client.builder(), config, listener);
            if (config.username().isPresent()) {
                b = b.simpleAuth().username(config.username().get()).password(passwordBytes(config)).applySimpleAuth();
            }
            this.client = b.buildAsync();
            // registered before connecting so frames the broker kept for the session are not missed
            // On the client's I/O thread, in arrival order; the callback only hands the frame on.
            client.publishes(MqttGlobalPublishFilter.ALL, p -> onPublish.accept(p.getTopic().toString(), p.getPayloadAsBytes()));
        }

        @Override
        public CompletableFuture<Void> connect() {
            return client.connectWith().cleanSession(false).keepAlive((int) config.keepAlive().toSeconds()).send()
                    .thenApply(ack -> null);
        }

        @Override
        public CompletableFuture<Void> subscribe(List<String> filters) {
            return CompletableFuture.allOf(filters.stream()
                    .map(f -> client.subscribeWith().topicFilter(f).qos(MqttQos.AT_LEAST_ONCE).send())
                    .toArray(CompletableFuture[]::new));
        }

        @Override
        public CompletableFuture<Void> publish(String topic, byte[] payload, boolean retain) {
            return client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain).payload(payload).send()
                    .thenApply(p -> null);
        }

        @Override
        public boolean isConnected() {
            return client.getState().isConnected();
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return client.disconnect();
        }
    }

    final class V5 implements MqttLink {
        private final BridgeConfig config;
        private final Mqtt5AsyncClient client;

        V5(BridgeConfig config, Listener listener, BiConsumer<String, byte[]> onPublish) {
            this.config = config;
            Mqtt5ClientBuilder b = commonSettings(Mqtt5Client.builder(), config, listener);
            if (config.username().isPresent()) {
                b = b.simpleAuth().username(config.username().get()).password(passwordBytes(config)).applySimpleAuth();
            }
            this.client = b.buildAsync();
            // On the client's I/O thread, in arrival order; the callback only hands the frame on.
            client.publishes(MqttGlobalPublishFilter.ALL, p -> onPublish.accept(p.getTopic().toString(), p.getPayloadAsBytes()));
        }

        @Override
        public CompletableFuture<Void> connect() {
            return client.connectWith().cleanStart(false).sessionExpiryInterval(config.sessionExpiry().toSeconds())
                    .keepAlive((int) config.keepAlive().toSeconds()).send().thenApply(ack -> null);
        }

        @Override
        public CompletableFuture<Void> subscribe(List<String> filters) {
            return CompletableFuture.allOf(filters.stream()
                    .map(f -> client.subscribeWith().topicFilter(f).qos(MqttQos.AT_LEAST_ONCE).send())
                    .toArray(CompletableFuture[]::new));
        }

        @Override
        public CompletableFuture<Void> publish(String topic, byte[] payload, boolean retain) {
            return client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain).payload(payload).send()
                    .thenApply(p -> null);
        }

        @Override
        public boolean isConnected() {
            return client.getState().isConnected();
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return client.disconnect();
        }
    }
}
