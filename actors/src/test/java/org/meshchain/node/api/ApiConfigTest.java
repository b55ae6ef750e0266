package org.meshchain.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

    @Test
    void defaultsAndOverrides() {
        ApiConfig c = ApiConfig.fromConfig(ConfigFactory.parseString("port = 9000\nsse-buffer-events = 16"));
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.sseBufferEvents()).isEqualTo(16);
        assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ManagementConfig.fromConfig(ConfigFactory.empty()).port()).isEqualTo(7626);
    }

    @Test
    void badValuesNameKeyValueAndRule() {
        assertThatThrownBy(() -> ApiConfig.fromConfig(ConfigFactory.parseString("port = 70000")))
                .hasMessage("meshchain.node.api.port = 70000: must be 0..65535");
        assertThatThrownBy(() -> ApiConfig.fromConfig(ConfigFactory.parseString("max-body-bytes = 10")))
                .hasMessageContaining("meshchain.node.api.max-body-bytes = 10");
        assertThatThrownBy(() -> ApiConfig.fromConfig(ConfigFactory.parseString("sse-buffer-events = 0")))
                .hasMessageContaining("meshchain.node.api.sse-buffer-events = 0: must be 1..65536");
        assertThatThrownBy(() -> ApiConfig.fromConfig(ConfigFactory.parseString("request-timeout = soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request-timeout");
        assertThatThrownBy(() -> ManagementConfig.fromConfig(ConfigFactory.parseString("port = -1")))
                .hasMessage("meshchain.node.management.port = -1: must be 0..65535");
    }
}
