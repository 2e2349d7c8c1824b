package io.vmdna.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MavenArtifactTest {
  @Test
  void shouldLayOutCoordinatesAsMavenDoes() {
    MavenArtifact tarball = MavenArtifact.parse("io.camunda:camunda-zeebe:8.6.0:tar.gz");
    MavenArtifact jar = MavenArtifact.parse("org.ow2.asm:asm:9.7");
    MavenArtifact classified = MavenArtifact.parse("g.h:a:1:zip:linux");

    assertThat(tarball.repositoryPath())
        .isEqualTo("io/camunda/camunda-zeebe/8.6.0/camunda-zeebe-8.6.0.tar.gz");
    assertThat(jar.fileName()).isEqualTo("asm-9.7.jar");
    assertThat(classified.repositoryPath()).isEqualTo("g/h/a/1/a-1-linux.zip");
    assertThat(classified).hasToString("g.h:a:1:zip:linux");
  }

  @Test
  void shouldRefuseMalformedCoordinatesNamingThem() {
    assertThatThrownBy(() -> MavenArtifact.parse("only:two"))
        .hasMessageContaining("'only:two' is not group:artifact:version");
    assertThatThrownBy(() -> MavenArtifact.parse("g:a::jar")).hasMessageContaining("blank");
    assertThatThrownBy(() -> MavenArtifact.parse("g:../../etc:1"))
        .hasMessageContaining("'../../etc' is not a plain name");
  }
}
