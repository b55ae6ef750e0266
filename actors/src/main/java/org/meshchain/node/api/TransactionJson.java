package org.meshchain.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.ProtocolLimits;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

/**
 * The JSON form of a signed transaction (docs/API.md), both ways. A parsed transaction is re-encoded
 * and decoded by the canonical codec, so the JSON form is held to exactly the limits and rules of
 * the canonical bytes.
 */
final class TransactionJson {

    private TransactionJson() {
    }

    static ObjectNode render(SignedTransaction tx) {
        ObjectNode out = StrictJson.object();
        ObjectNode body = out.putObject("body");
        body.put("chainId", tx.body().chainId().value());
        body.put("sender", tx.body().sender().toHex());
        body.put("nonce", tx.body().nonce());
        body.put("fee", tx.body().fee());
        body.put("expiryHeight", tx.body().expiryHeight());
        body.set("payload", renderPayload(tx.body().payload()));
        out.put("signerPublicKey", tx.signerPublicKey().toHex());
        out.put("signature", hex(tx.signature().toByteArray()));
        return out;
    }

    static String payloadType(Payload payload) {
        return switch (payload) {
            case Payload.Transfer t -> "transfer";
            case Payload.UtxoSpend s -> "utxo_spend";
            case Payload.Deploy d -> "deploy";
            case Payload.Call c -> "call";
            case Payload.RegisterDevice r -> "register_device";
            case Payload.DeviceReport r -> "device_report";
        };
    }

    static ObjectNode renderPayload(Payload payload) {
        ObjectNode p = StrictJson.object();
        p.put("type", payloadType(payload));
        switch (payload) {
            case Payload.Transfer t -> {
                p.put("to", t.to().toHex());
                p.put("amount", t.amount());
            }
            case Payload.UtxoSpend s -> {
                ArrayNode inputs = p.putArray("inputs");
                s.inputs().forEach(i -> inputs.addObject().put("txId", i.txId().toHex()).put("index", i.index()));
                ArrayNode outputs = p.putArray("outputs");
                s.outputs().forEach(o -> outputs.addObject().put("owner", o.owner().toHex()).put("amount", o.amount()));
            }
            case Payload.Deploy d -> {
                p.put("wasm", d.wasm().toHex());
            }
            case Payload.Call c -> {
                p.put("contract", c.contract().toHex());
                p.put("function", c.function());
                p.put("args", c.args().toHex());
                p.put("gasLimit", c.gasLimit());
                ObjectNode access = p.putObject("accessSet");
                ArrayNode reads = access.putArray("reads");
                c.accessSet().reads().forEach(k -> reads.add(k.toHex()));
                ArrayNode writes = access.putArray("writes");
                c.accessSet().writes().forEach(k -> writes.add(k.toHex()));
            }
            case Payload.RegisterDevice r -> {
                p.put("deviceKey", r.deviceKey().toHex());
                p.put("owner", r.owner().toHex());
                p.put("collateral", r.collateral());
            }
            case Payload.DeviceReport r -> {
                p.put("device", r.device().toHex());
                p.put("counter", r.counter());
                p.put("data", r.data().toHex());
            }
        }
        return p;
    }

    /** Parses the JSON form; every violation is an {@link ApiError} naming the field. */
    static SignedTransaction parse(StrictJson.Obj tx, DomainCodecs codecs) {
        ProtocolLimits limits = codecs.limits();
        tx.only(Set.of("body", "signerPublicKey", "signature"));
        StrictJson.Obj body = tx.object("body").only(Set.of("chainId", "sender", "nonce", "fee", "expiryHeight", "payload"));
        ChainId chainId;
        try {
            chainId = new ChainId(body.string("chainId"));
        } catch (IllegalArgumentException e) {
            throw StrictJson.Obj.invalid(body.path("chainId"), e.getMessage());
        }
        Address sender = address(body, "sender");
        long nonce = body.u63("nonce");
        long fee = body.u63("fee");
        long expiry = body.u63("expiryHeight");
        Payload payload = payload(body.object("payload"), limits);
        Ed25519PublicKey signer;
        Ed25519Signature signature;
        try {
            signer = Ed25519PublicKey.of(tx.hex("signerPublicKey", 32, 32));
            signature = Ed25519Signature.of(tx.hex("signature", 64, 64));
        } catch (IllegalArgumentException e) {
            throw StrictJson.Obj.invalid("signature", e.getMessage());
        }
        SignedTransaction parsed;
        try {
            parsed = new SignedTransaction(new TransactionBody(chainId, sender, nonce, fee, expiry, payload), signer, signature);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid_field", e.getMessage());
        }
        try {
            // The canonical codec is the one authority on limits and encodability.
            return codecs.decodeTransaction(DomainCodecs.encode(parsed));
        } catch (DecodeException | IllegalArgumentException e) {
            throw ApiError.badRequest("malformed_transaction", e.getMessage());
        }
    }

    private static Payload payload(StrictJson.Obj p, ProtocolLimits limits) {
        String type = p.string("type");
        try {
            return switch (type) {
                case "transfer" -> {
                    p.only(Set.of("type", "to", "amount"));
                    yield new Payload.Transfer(address(p, "to"), p.u63("amount"));
                }
                case "utxo_spend" -> {
                    p.only(Set.of("type", "inputs", "outputs"));
                    List<Payload.UtxoRef> inputs = new ArrayList<>();
                    List<JsonNode> in = p.array("inputs", limits.maxUtxoInputs());
                    for (int i = 0; i < in.size(); i++) {
                        StrictJson.Obj ref = StrictJson.Obj.element(in.get(i), p.path("inputs[" + i + "]")).only(Set.of("txId", "index"));
                        inputs.add(new Payload.UtxoRef(Hash32.of(ref.hex("txId", 32, 32)), ref.u31("index")));
                    }
                    List<Payload.UtxoOutput> outputs = new ArrayList<>();
                    List<JsonNode> out = p.array("outputs", limits.maxUtxoOutputs());
                    for (int i = 0; i < out.size(); i++) {
                        StrictJson.Obj o = StrictJson.Obj.element(out.get(i), p.path("outputs[" + i + "]")).only(Set.of("owner", "amount"));
                        outputs.add(new Payload.UtxoOutput(address(o, "owner"), o.u63("amount")));
                    }
                    yield new Payload.UtxoSpend(inputs, outputs);
                }
                case "deploy" -> {
                    p.only(Set.of("type", "wasm"));
                    yield new Payload.Deploy(Bytes.of(p.hex("wasm", 0, limits.maxWasmBytes())));
                }
                case "call" -> {
                    p.only(Set.of("type", "contract", "function", "args", "gasLimit", "accessSet"));
                    StrictJson.Obj access = p.object("accessSet").only(Set.of("reads", "writes"));
                    yield new Payload.Call(address(p, "contract"), p.string("function"),
                            Bytes.of(p.hex("args", 0, limits.maxCallArgsBytes())), p.u63("gasLimit"),
                            new Payload.AccessSet(keys(access, "reads", limits), keys(access, "writes", limits)));
                }
                case "register_device" -> {
                    p.only(Set.of("type", "deviceKey", "owner", "collateral"));
                    yield new Payload.RegisterDevice(Ed25519PublicKey.of(p.hex("deviceKey", 32, 32)), address(p, "owner"),
                            p.u63("collateral"));
                }
                case "device_report" -> {
                    p.only(Set.of("type", "device", "counter", "data"));
                    yield new Payload.DeviceReport(address(p, "device"), p.u63("counter"),
                            Bytes.of(p.hex("data", 0, limits.maxReportDataBytes())));
                }
                default -> throw StrictJson.Obj.invalid(p.path("type"), "must be one of transfer, utxo_spend, deploy, call, "
                        + "register_device, device_report; got '" + Params.truncate(type) + "'");
            };
        } catch (IllegalArgumentException e) {
            throw StrictJson.Obj.invalid(p.path(type), e.getMessage());
        }
    }

    private static List<Bytes> keys(StrictJson.Obj access, String field, ProtocolLimits limits) {
        List<JsonNode> items = access.array(field, limits.maxAccessSetKeys());
        List<Bytes> keys = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String path = access.path(field + "[" + i + "]");
            if (!item.isTextual()) {
                throw StrictJson.Obj.invalid(path, "must be a hex string");
            }
            try {
                keys.add(Bytes.of(Params.hex(path, item.textValue(), 0, limits.maxStateKeyBytes())));
            } catch (ApiError e) {
                throw StrictJson.Obj.invalid(path, e.detail().replaceFirst("^\\S+ ", ""));
            }
        }
        return keys;
    }

    private static Address address(StrictJson.Obj o, String field) {
        return new Address(Hash32.of(o.hex(field, 32, 32)));
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
