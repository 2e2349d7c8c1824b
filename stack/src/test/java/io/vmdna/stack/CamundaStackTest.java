package io.vmdna.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the stack does before and around its processes: none of these tests start the distributions
 * (OperateStackIT in workers does).
 */
class CamundaStackTest {
  @TempDir Path tmp;
  final List<String> log = new ArrayList<>();

  /** A repository nothing can be fetched from: a test reaching a download fails loudly. */
  final ArtifactFetcher noDownloads =
      new ArtifactFetcher(Path.of("/nonexistent-repo"), URI.create("http://127.0.0.1:9/"));

  @Test
  void shouldReportBothStoppedOnAFreshHome() {
    CamundaStack stack = new CamundaStack(StackSettings.defaults(tmp), noDownloads, log::add);

    CamundaStack.Status status = stack.status();

    assertThat(status.healthy()).isFalse();
    assertThat(status.openSearch().running()).isFalse();
    assertThat(status.camunda().detail()).isEqualTo("not running");
    assertThat(status.describe())
        .contains("opensearch  stopped")
        .contains("Operate http://localhost:8080/operate");
  }

  @Test
  void shouldNotTakeAnotherProgramForItsOwnFromAStalePidFile() throws IOException {
    // given a pid file naming a live process that is not the stack's (this test's JVM)
    Files.createDirectories(tmp.resolve("run"));
    Files.writeString(tmp.resolve("run/camunda.pid"), Long.toString(ProcessHandle.current().pid()));
    CamundaStack stack = new CamundaStack(StackSettings.defaults(tmp), noDownloads, log::add);

    // when
    CamundaStack.Status status = stack.status();
    stack.down();

    // then it is not reported running, and down did not signal it (we are still here)
    assertThat(status.camunda().running()).isFalse();
    assertThat(log).noneMatch(l -> l.startsWith("stopping"));
    assertThat(tmp.resolve("run/camunda.pid")).doesNotExist();
  }

  @Test
  void shouldNameATakenPortBeforeDownloadingAnything() throws IOException {
    Path home = reachableHome();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      StackSettings settings =
          new StackSettings(
              home, 26500, 8080, 9600, 26501, 26502, taken.getLocalPort(), 9300, 1024, 512);
      CamundaStack stack = new CamundaStack(settings, noDownloads, log::add);

      assertThatThrownBy(() -> stack.up(Duration.ofSeconds(5)))
          .isInstanceOf(IOException.class)
          .hasMessage(
              "opensearch needs port "
                  + taken.getLocalPort()
                  + ", which another program holds; stop it or choose other ports");
    }
  }

  @Test
  void shouldRefuseAHomeThatNobodyCannotReachWhenRunAsRoot() throws IOException {
    assumeTrue(CamundaStack.isRoot(), "only root runs OpenSearch as nobody");
    Path closed = Files.createDirectory(tmp.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    CamundaStack stack =
        new CamundaStack(StackSettings.defaults(closed.resolve("stack")), noDownloads, log::add);

    assertThatThrownBy(() -> stack.up(Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nobody cannot enter " + closed)
        .hasMessageContaining("--home");
  }

  @Test
  void shouldWriteItsPortsAndDataFolderIntoCamundasConfiguration() {
    StackSettings settings =
        new StackSettings(tmp, 27500, 8081, 9601, 27501, 27502, 9201, 9301, 1024, 512);

    String config = new CamundaStack(settings, noDownloads, log::add).camundaConfig();

    assertThat(config)
        .contains("port: 27500")
        .contains("port: 8081")
        .contains("port: 9601")
        .contains("url: http://localhost:9201")
        .contains("gatewayAddress: localhost:27500")
        .contains("directory: " + tmp.resolve("data/zeebe"));
  }

  @Test
  void shouldReadAJavaRuntimesVersionFromItsReleaseFile() throws IOException {
    Path jdk17 = Files.createDirectories(tmp.resolve("jdk17"));
    Files.writeString(jdk17.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"17.0.15\"\n");
    Path jdk8 = Files.createDirectories(tmp.resolve("jdk8"));
    Files.writeString(jdk8.resolve("release"), "JAVA_VERSION=\"1.8.0_392\"\n");
    Path jdk25 = Files.createDirectories(tmp.resolve("jdk25"));
    Files.writeString(jdk25.resolve("release"), "JAVA_VERSION=\"25+36\"\n");

    assertThat(CamundaStack.releaseVersion(jdk17)).isEqualTo(17);
    assertThat(CamundaStack.releaseVersion(jdk8)).isEqualTo(8);
    assertThat(CamundaStack.releaseVersion(jdk25)).isEqualTo(25);
    assertThat(CamundaStack.releaseVersion(tmp.resolve("none"))).isEqualTo(-1);
  }

  /** A home under /tmp, which every user can enter (OpenSearch may run as nobody). */
  private Path reachableHome() throws IOException {
    Path home = Files.createTempDirectory(Path.of("/tmp"), "vmdna-stack-test-");
    home.toFile().deleteOnExit();
    return home;
  }
}
