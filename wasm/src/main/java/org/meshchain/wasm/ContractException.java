package org.meshchain.wasm;

import java.util.Objects;
import org.meshchain.core.error.ContractError;

/** Carries a deterministic {@link ContractError} out of deploy-time validation or a host function. */
public final class ContractException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ContractError error;

    public ContractException(ContractError error) {
        super(Objects.requireNonNull(error, "error").toString(), null, false, false);
        this.error = error;
    }

    public ContractError error() {
        return error;
    }
}
