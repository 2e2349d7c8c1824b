package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.stack.StackSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and the commands that need no running stack; OperateStackIT runs the real one. */
class StackCommandTest {
  @TempDir Path home;

  @Test
  void shouldTakeTheBrokersOtherPortsFromTheGatewayPort() throws Exception {
    StackCommand up =
        StackCommand.parse(
            new String[] {
              "stack",
              "up",
              "--home",
              home.toString(),
              "--gateway-port",
              "27500",
              "--opensearch-port",
              "9201",
              "--timeout",
              "2m"
            });

    assertThat(up.settings().gatewayPort()).isEqualTo(27500);
    assertThat(up.settings().commandPort()).isEqualTo(27501);
    assertThat(up.settings().internalPort()).isEqualTo(27502);
    assertThat(up.settings().openSearchTransportPort()).isEqualTo(9301);
    assertThat(up.settings().webPort()).isEqualTo(8080);
    assertThat(up.timeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void shouldUseTheSavedPortsForStatusAndDown() throws Exception {
    new StackSettings(home, 27500, 8081, 9601, 27501, 27502, 9201, 9301, 1024, 512).save();

    StackCommand status =
        StackCommand.parse(new String[] {"stack", "status", "--home", home.toString()});

    assertThat(status.settings().webPort()).isEqualTo(8081);
  }

  @Test
  void shouldSayNotHealthyWithExitCode3WhenNothingRuns() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code =
        StackCommand.parse(new String[] {"stack", "status", "--home", home.toString()})
            .run(new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(StackCommand.NOT_HEALTHY).isEqualTo(3);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("opensearch  stopped")
        .contains("camunda     stopped");
  }

  @Test
  void shouldNameAMissingOrUnknownActionAndOptionsThatDoNotApply() {
    assertThatThrownBy(() -> StackCommand.parse(new String[] {"stack"}))
        .hasMessage("stack needs an action: up, down or status");
    assertThatThrownBy(() -> StackCommand.parse(new String[] {"stack", "restart"}))
        .hasMessage("stack needs an action: up, down or status (got 'restart')");
    assertThatThrownBy(
            () -> StackCommand.parse(new String[] {"stack", "down", "--gateway-port", "1"}))
        .hasMessage("unknown option --gateway-port for stack down");
    assertThatThrownBy(
            () ->
                StackCommand.parse(
                    new String[] {"stack", "up", "--home", home.toString(), "--operate-port", "0"}))
        .hasMessageContaining("the web port must be 1..65535, was 0");
  }
}
