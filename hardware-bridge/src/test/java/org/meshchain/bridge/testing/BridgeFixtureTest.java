package org.meshchain.bridge.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that each build one {@link BridgeFixture} (honest node, real Mosquitto, bridge)
 * in a fresh temporary directory: the fixture a test creates is closed after it.
 */
public abstract class BridgeFixtureTest {

    @TempDir
    protected Path dir;

    protected BridgeFixture fixture;

    @AfterEach
    protected void closeFixture() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }
}
