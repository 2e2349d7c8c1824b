package io.vmdna.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackSettingsTest {
  @TempDir Path home;

  @Test
  void shouldKeepThePortsOfTheLastUpForStatusAndDown() throws IOException {
    StackSettings custom =
        new StackSettings(home, 27500, 8081, 9601, 27501, 27502, 9201, 9301, 768, 384);

    custom.save();

    assertThat(StackSettings.load(home)).isEqualTo(custom);
    assertThat(custom.gatewayAddress()).isEqualTo("http://localhost:27500");
    assertThat(custom.operateAddress()).isEqualTo("http://localhost:8081/operate");
  }

  @Test
  void shouldUseCamundasUsualPortsWhenNothingWasSaved() throws IOException {
    assertThat(StackSettings.load(home)).isEqualTo(StackSettings.defaults(home));
    assertThat(StackSettings.defaults(home).gatewayPort()).isEqualTo(26500);
  }

  @Test
  void shouldRefuseBadPortsAndHeapsNamingThem() {
    assertThatThrownBy(
            () -> new StackSettings(home, 26500, 8080, 9600, 26501, 26502, 9200, 8080, 1024, 512))
        .hasMessage("the opensearch-transport and web ports are both 8080");
    assertThatThrownBy(
            () -> new StackSettings(home, 0, 8080, 9600, 26501, 26502, 9200, 9300, 1024, 512))
        .hasMessage("the gateway port must be 1..65535, was 0");
    assertThatThrownBy(
            () -> new StackSettings(home, 26500, 8080, 9600, 26501, 26502, 9200, 9300, 100, 512))
        .hasMessageContaining("at least 256 MiB");
  }

  @Test
  void shouldNameTheFileAndKeyOfABadSavedValue() throws IOException {
    Files.writeString(home.resolve("stack.properties"), "gatewayPort=twenty\n");

    assertThatThrownBy(() -> StackSettings.load(home))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(home.resolve("stack.properties").toString())
        .hasMessageContaining("gatewayPort is not a number: 'twenty'");
  }
}
