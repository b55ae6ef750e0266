package org.meshchain.node.port;

import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.merkle.SmtProof;

/**
 * A state value (or its absence) at a committed height, with a proof against the state root that
 * {@code header}'s certificate certifies.
 */
public record StateProofResult(Hash32 path, Optional<Bytes> value, SmtProof proof, CertifiedHeader header) {}
