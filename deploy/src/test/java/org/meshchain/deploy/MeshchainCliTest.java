package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meshchain.deploy.CliRun.run;

import org.junit.jupiter.api.Test;

class MeshchainCliTest {

    @Test
    void versionNamesTheProjectVersion() {
        CliRun result = run("--version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("meshchain 0.1.0");
    }

    @Test
    void helpListsUsage() {
        CliRun result = run("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: meshchain");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun result = run("--no-such-option");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Unknown option: '--no-such-option'");
    }
}
