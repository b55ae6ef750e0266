package org.meshchain.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

/** The JSON form and the canonical bytes describe the same transaction, for every payload variant. */
class TransactionJsonPropertyTest {

    private static final Ed25519PrivateKey SIGNER = ChainBackedNode.key(7);

    @Property(tries = 300)
    void jsonFormRoundTripsToTheSameCanonicalBytes(@ForAll("transactions") SignedTransaction tx) {
        String json = StrictJson.write(TransactionJson.render(tx));
        SignedTransaction parsed = TransactionJson.parse(StrictJson.parseObject(json.getBytes(StandardCharsets.UTF_8)),
                DomainCodecs.DEFAULT);
        assertThat(DomainCodecs.encode(parsed)).isEqualTo(DomainCodecs.encode(tx));
        assertThat(parsed.id()).isEqualTo(tx.id());
    }

    @Property(tries = 100)
    void droppingAnyRequiredFieldIsRefusedNamingIt(@ForAll("transactions") SignedTransaction tx) {
        String json = StrictJson.write(TransactionJson.render(tx));
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) StrictJson.parseObject(
                json.getBytes(StandardCharsets.UTF_8)).required("body");
        var payload = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("payload");
        List<String> fields = new ArrayList<>();
        payload.fieldNames().forEachRemaining(fields::add);
        fields.remove("type");
        if (fields.isEmpty()) {
            return;
        }
        String dropped = fields.get(0);
        payload.remove(dropped);
        byte[] broken = ("{\"body\":" + StrictJson.write(tree) + ",\"signerPublicKey\":\"" + tx.signerPublicKey().toHex()
                + "\",\"signature\":\"" + TransactionJson.hex(tx.signature().toByteArray()) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TransactionJson.parse(StrictJson.parseObject(broken), DomainCodecs.DEFAULT))
                .isInstanceOf(ApiError.class).hasMessageContaining("body.payload." + dropped + " is required");
    }

    @Provide
    Arbitrary<SignedTransaction> transactions() {
        Arbitrary<Long> amounts = Arbitraries.longs().between(0, Long.MAX_VALUE);
        return Combinators.combine(payloads(), amounts, amounts, amounts)
                .as((payload, nonce, fee, expiry) -> SignedTransaction.sign(new TransactionBody(ChainBackedNode.CHAIN,
                        Address.of(SIGNER.publicKey()), nonce, fee, expiry, payload), SIGNER));
    }

    private static Arbitrary<Address> addresses() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32).map(b -> new Address(Hash32.of(b)));
    }

    private static Arbitrary<Bytes> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max).map(Bytes::of);
    }

    private static Arbitrary<List<Bytes>> sortedKeys() {
        return bytes(16).list().ofMaxSize(5).map(keys -> List.copyOf(new TreeSet<>(keys)));
    }

    private static Arbitrary<Payload> payloads() {
        Arbitrary<Long> amounts = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Payload> transfer = Combinators.combine(addresses(), amounts).as(Payload.Transfer::new);
        Arbitrary<Payload.UtxoRef> ref = Combinators.combine(addresses().map(Address::hash),
                Arbitraries.integers().between(0, Integer.MAX_VALUE)).as(Payload.UtxoRef::new);
        Arbitrary<Payload> spend = Combinators.combine(ref.list().ofMinSize(1).ofMaxSize(4),
                Combinators.combine(addresses(), amounts).as(Payload.UtxoOutput::new).list().ofMaxSize(4))
                .as((inputs, outputs) -> new Payload.UtxoSpend(List.copyOf(new TreeSet<>(inputs)), outputs));
        Arbitrary<Payload> deploy = bytes(64).map(Payload.Deploy::new);
        Arbitrary<String> function = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
        Arbitrary<Payload> call = Combinators.combine(addresses(), function, bytes(32), amounts, sortedKeys(), sortedKeys())
                .as((contract, fn, args, gas, reads, writes) -> new Payload.Call(contract, fn, args, gas,
                        new Payload.AccessSet(reads, writes)));
        Arbitrary<Payload> register = Combinators.combine(Arbitraries.integers().between(1, 200), addresses(), amounts)
                .as((seed, owner, collateral) -> new Payload.RegisterDevice(ChainBackedNode.key(seed).publicKey(), owner,
                        collateral));
        Arbitrary<Payload> report = Combinators.combine(addresses(), amounts, bytes(64)).as(Payload.DeviceReport::new);
        return Arbitraries.oneOf(transfer, spend, deploy, call, register, report);
    }
}
