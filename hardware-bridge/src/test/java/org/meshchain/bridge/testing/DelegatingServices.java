package org.meshchain.bridge.testing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.consensus.ValidatorSet;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.metrics.Metrics;
import org.meshchain.node.port.CertifiedHeader;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.NodeServices;
import org.meshchain.node.port.NodeStatus;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.port.StateProofResult;
import org.meshchain.node.port.SubmitOutcome;
import org.meshchain.persistence.chain.ChainView;

/** A NodeServices that forwards everything; tests override one method to change timing or failures. */
public class DelegatingServices implements NodeServices {

    protected final NodeServices delegate;

    public DelegatingServices(NodeServices delegate) {
        this.delegate = delegate;
    }

    public ChainId chainId() {
        return delegate.chainId();
    }

    public ValidatorSet validatorSet() {
        return delegate.validatorSet();
    }

    public CompletionStage<SubmitOutcome> submitTransaction(SignedTransaction transaction) {
        return delegate.submitTransaction(transaction);
    }

    public ChainView openChainView() {
        return delegate.openChainView();
    }

    public Optional<Bytes> readState(Hash32 path) {
        return delegate.readState(path);
    }

    public CompletionStage<StateProofResult> proveState(Hash32 path) {
        return delegate.proveState(path);
    }

    public Optional<CertifiedHeader> latestCertifiedHeader() {
        return delegate.latestCertifiedHeader();
    }

    public NodeStatus status() {
        return delegate.status();
    }

    public Metrics metrics() {
        return delegate.metrics();
    }

    public List<PeerInfo> peers() {
        return delegate.peers();
    }

    public AutoCloseable subscribeCommits(Consumer<CommittedBlock> listener) {
        return delegate.subscribeCommits(listener);
    }
}
