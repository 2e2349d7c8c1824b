package io.vmdna.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributionsTest {
  @TempDir Path tmp;

  @Test
  void shouldUnpackAZipMakingItsScriptsExecutable() throws IOException {
    Path zip = zip("os/bin/opensearch", "os/config/opensearch.yml");

    Distributions.unzip(zip, Files.createDirectory(tmp.resolve("out")));

    assertThat(tmp.resolve("out/os/bin/opensearch")).isExecutable().hasContent("os/bin/opensearch");
    assertThat(tmp.resolve("out/os/config/opensearch.yml").toFile().canExecute()).isFalse();
  }

  @Test
  void shouldRefuseAZipEntryThatLeavesTheFolder() throws IOException {
    Path zip = zip("ok.txt", "../escaped.txt");

    assertThatThrownBy(() -> Distributions.unzip(zip, Files.createDirectory(tmp.resolve("out"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("entry ../escaped.txt points outside the folder");
    assertThat(tmp.resolve("escaped.txt")).doesNotExist();
  }

  @Test
  void shouldDescribeEachAssembledModuleForOpenSearch() {
    Distributions.Module painless = Distributions.MODULES.getFirst();
    Distributions.Module analysis =
        Distributions.MODULES.stream()
            .filter(m -> m.name().equals("analysis-common"))
            .findFirst()
            .orElseThrow();

    assertThat(Distributions.descriptor(painless))
        .contains("name=lang-painless")
        .contains("classname=org.opensearch.painless.PainlessPlugin")
        .contains("opensearch.version=2.19.1");
    assertThat(Distributions.descriptor(analysis)).contains("extended.plugins=lang-painless");
    assertThat(painless.policy()).contains("createClassLoader");
    assertThat(Distributions.MODULES)
        .allSatisfy(m -> assertThat(m.jars()).allSatisfy(MavenArtifact::parse));
  }

  private Path zip(String... entries) throws IOException {
    Path zip = tmp.resolve("test.zip");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      for (String e : entries) {
        z.putNextEntry(new ZipEntry(e));
        z.write(e.getBytes());
        z.closeEntry();
      }
    }
    return zip;
  }
}
