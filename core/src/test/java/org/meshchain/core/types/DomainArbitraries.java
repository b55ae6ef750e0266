package org.meshchain.core.types;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;

/** Generators of every domain type, covering every payload variant and optional field. */
final class DomainArbitraries {

    private DomainArbitraries() {
    }

    static Arbitrary<byte[]> byteArrays(int minLength, int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(minLength).ofMaxSize(maxLength);
    }

    static Arbitrary<Bytes> bytes(int maxLength) {
        return byteArrays(0, maxLength).map(Bytes::of);
    }

    static Arbitrary<Hash32> hashes() {
        return byteArrays(32, 32).map(Hash32::of);
    }

    static Arbitrary<Address> addresses() {
        return hashes().map(Address::new);
    }

    static Arbitrary<Ed25519PublicKey> publicKeys() {
        return byteArrays(32, 32).map(Ed25519PublicKey::of);
    }

    static Arbitrary<Ed25519Signature> signatures() {
        return byteArrays(64, 64).map(Ed25519Signature::of);
    }

    static Arbitrary<Long> amounts() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 1000), Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.just(Long.MAX_VALUE));
    }

    static Arbitrary<ChainId> chainIds() {
        Arbitrary<Character> first = Arbitraries.chars().with("abcz019".toCharArray());
        Arbitrary<String> rest = Arbitraries.strings().withChars("abcdefxyz0123456789-").ofMaxLength(31);
        return Combinators.combine(first, rest).as((f, r) -> new ChainId(f + r));
    }

    /** A strictly ascending list (the canonical form of a set). */
    static <T extends Comparable<T>> Arbitrary<List<T>> sortedUnique(Arbitrary<T> element, int maxSize) {
        return element.set().ofMaxSize(maxSize).map(set -> {
            List<T> list = new ArrayList<>(set);
            list.sort(null);
            return list;
        });
    }

    static Arbitrary<Payload> payloads() {
        Arbitrary<Payload> transfer = Combinators.combine(addresses(), amounts()).as(Payload.Transfer::new);
        Arbitrary<Payload.UtxoRef> ref = Combinators.combine(hashes(), Arbitraries.integers().between(0, Integer.MAX_VALUE))
                .as(Payload.UtxoRef::new);
        Arbitrary<Payload.UtxoOutput> output = Combinators.combine(addresses(), amounts()).as(Payload.UtxoOutput::new);
        Arbitrary<Payload> spend = Combinators.combine(
                        sortedUnique(ref, 4).filter(l -> !l.isEmpty()), output.list().ofMaxSize(4))
                .as(Payload.UtxoSpend::new);
        Arbitrary<Payload> deploy = bytes(300).map(Payload.Deploy::new);
        Arbitrary<String> function = Combinators.combine(
                        Arbitraries.chars().with("abcXYZ_".toCharArray()),
                        Arbitraries.strings().withChars("abcXYZ_0189").ofMaxLength(20))
                .as((f, r) -> f + r);
        Arbitrary<Payload.AccessSet> accessSet = Combinators.combine(sortedUnique(bytes(40), 5), sortedUnique(bytes(40), 5))
                .as(Payload.AccessSet::new);
        Arbitrary<Payload> call = Combinators.combine(addresses(), function, bytes(100), amounts(), accessSet)
                .as(Payload.Call::new);
        Arbitrary<Payload> register = Combinators.combine(publicKeys(), addresses(), amounts()).as(Payload.RegisterDevice::new);
        Arbitrary<Payload> report = Combinators.combine(addresses(), amounts(), bytes(100)).as(Payload.DeviceReport::new);
        return Arbitraries.oneOf(transfer, spend, deploy, call, register, report);
    }

    static Arbitrary<TransactionBody> bodies() {
        return Combinators.combine(chainIds(), addresses(), amounts(), amounts(), amounts(), payloads())
                .as(TransactionBody::new);
    }

    static Arbitrary<SignedTransaction> signedTransactions() {
        return Combinators.combine(bodies(), publicKeys(), signatures()).as(SignedTransaction::new);
    }

    static Arbitrary<VoteData> voteData() {
        return Combinators.combine(hashes(), amounts(), amounts(), hashes(), hashes()).as(VoteData::new);
    }

    static Arbitrary<QuorumCertificate> quorumCertificates() {
        Arbitrary<ValidatorSignature> sig = Combinators.combine(addresses(), signatures()).as(ValidatorSignature::new);
        // unique by validator: sort by validator and drop repeats
        Arbitrary<List<ValidatorSignature>> sigs = sig.list().ofMaxSize(5).map(list -> {
            List<ValidatorSignature> sorted = new ArrayList<>(list);
            sorted.sort(null);
            List<ValidatorSignature> unique = new ArrayList<>();
            for (ValidatorSignature s : sorted) {
                if (unique.isEmpty() || unique.getLast().compareTo(s) != 0) {
                    unique.add(s);
                }
            }
            return unique;
        });
        return Combinators.combine(voteData(), sigs).as(QuorumCertificate::new);
    }

    static Arbitrary<TimeoutCertificate> timeoutCertificates() {
        Arbitrary<TimeoutSignature> sig = Combinators.combine(addresses(), amounts(), signatures()).as(TimeoutSignature::new);
        Arbitrary<List<TimeoutSignature>> sigs = sig.list().ofMaxSize(4).map(list -> {
            List<TimeoutSignature> sorted = new ArrayList<>(list);
            sorted.sort(null);
            List<TimeoutSignature> unique = new ArrayList<>();
            for (TimeoutSignature s : sorted) {
                if (unique.isEmpty() || unique.getLast().compareTo(s) != 0) {
                    unique.add(s);
                }
            }
            return unique;
        });
        return Combinators.combine(amounts(), quorumCertificates(), sigs).as(TimeoutCertificate::new);
    }

    static Arbitrary<BlockHeader> headers() {
        Arbitrary<long[]> numbers = Combinators.combine(amounts(), amounts(), amounts()).as((h, r, t) -> new long[] {h, r, t});
        return Combinators.combine(chainIds(), numbers, hashes(), addresses(), hashes(), quorumCertificates(),
                        timeoutCertificates().injectNull(0.5))
                .as((chain, n, parent, proposer, txRoot, qc, tc) ->
                        new BlockHeader(chain, n[0], n[1], parent, n[2], proposer, txRoot, qc, tc));
    }

    static Arbitrary<Block> blocks() {
        return Combinators.combine(headers(), signedTransactions().list().ofMaxSize(4)).as(Block::new);
    }

    static Arbitrary<Vote> votes() {
        return Combinators.combine(voteData(), addresses(), signatures()).as(Vote::new);
    }

    static Arbitrary<Timeout> timeouts() {
        return Combinators.combine(chainIds(), amounts(), quorumCertificates(), addresses(), signatures()).as(Timeout::new);
    }
}
