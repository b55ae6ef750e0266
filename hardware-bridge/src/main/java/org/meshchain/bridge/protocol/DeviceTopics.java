package org.meshchain.bridge.protocol;

import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;

/**
 * The MQTT topic layout of DESIGN 6 for one chain ({@code {c}} the chain id, {@code {d}} the device
 * address as 64 lower-case hex digits). Device → chain: {@code tx}, {@code report}, {@code proof/get},
 * {@code status}; chain → device: {@code reply}, {@code proof}, and the retained {@code headers}.
 */
public final class DeviceTopics {

    /** What a topic under {@code meshchain/{c}/dev/{d}/} carries towards the chain. */
    public enum Inbound {
        TX("tx"), REPORT("report"), PROOF_REQUEST("proof/get"), STATUS("status");

        private final String suffix;

        Inbound(String suffix) {
            this.suffix = suffix;
        }

        public String suffix() {
            return suffix;
        }
    }

    /** A parsed inbound topic. */
    public record Parsed(Address device, Inbound channel) {}

    private static final HexFormat HEX = HexFormat.of();

    private final ChainId chainId;
    private final String devicePrefix;

    public DeviceTopics(ChainId chainId) {
        this.chainId = Objects.requireNonNull(chainId, "chainId");
        this.devicePrefix = "meshchain/" + chainId.value() + "/dev/";
    }

    public ChainId chainId() {
        return chainId;
    }

    /** Retained: the latest certified header. */
    public String headers() {
        return "meshchain/" + chainId.value() + "/headers";
    }

    public String inbound(Address device, Inbound channel) {
        return devicePrefix + device.toHex() + "/" + channel.suffix();
    }

    /** Chain → device: one reply per frame (accepted, committed or a rejection code). */
    public String reply(Address device) {
        return devicePrefix + device.toHex() + "/reply";
    }

    /** Chain → device: proof replies. */
    public String proof(Address device) {
        return devicePrefix + device.toHex() + "/proof";
    }

    /** The bridge's subscription filter for one inbound channel of every device. */
    public String subscription(Inbound channel) {
        return devicePrefix + "+/" + channel.suffix();
    }

    /** Parses an inbound topic strictly; empty for anything that is not exactly one of the four forms. */
    public Optional<Parsed> parseInbound(String topic) {
        if (topic == null || !topic.startsWith(devicePrefix)) {
            return Optional.empty();
        }
        String rest = topic.substring(devicePrefix.length());
        if (rest.length() < 66 || rest.charAt(64) != '/') {
            return Optional.empty();
        }
        String id = rest.substring(0, 64);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return Optional.empty();
            }
        }
        String suffix = rest.substring(65);
        for (Inbound channel : Inbound.values()) {
            if (channel.suffix().equals(suffix)) {
                return Optional.of(new Parsed(new Address(Hash32.of(HEX.parseHex(id))), channel));
            }
        }
        return Optional.empty();
    }
}
