package io.vmdna.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The two distributions the stack runs, laid out from Maven Central artefacts: Camunda 8.6's
 * single-application tarball (broker, gateway, Operate), and OpenSearch 2.19.1's integ-test zip
 * completed with the modules that zip leaves out (each module folder holds its jars and a plugin
 * descriptor we write; the set is the one {@code ../shared/recipes/camunda-local} found Operate
 * needs: without analysis-common Operate's index templates are refused).
 *
 * <p>Each is unpacked into a temporary folder beside its final place and renamed into place when
 * complete, so an interrupted install leaves nothing that a later run would take as installed.
 */
final class Distributions {
  static final MavenArtifact CAMUNDA = MavenArtifact.parse("io.camunda:camunda-zeebe:8.6.0:tar.gz");
  static final MavenArtifact OPENSEARCH =
      MavenArtifact.parse("org.opensearch.distribution.integ-test-zip:opensearch:2.19.1:zip");
  private static final String OS = "2.19.1";

  /** A module OpenSearch loads at start, assembled from plain jars. */
  record Module(
      String name, String classname, String extendedPlugins, List<String> jars, String policy) {}

  /** The modules beside transport-netty4 (which the zip has). */
  static final List<Module> MODULES =
      List.of(
          new Module(
              "lang-painless",
              "org.opensearch.painless.PainlessPlugin",
              "",
              List.of(
                  "org.opensearch.plugin:lang-painless:" + OS,
                  "org.opensearch.plugin:opensearch-scripting-painless-spi:" + OS,
                  "org.antlr:antlr4-runtime:4.13.1",
                  "org.ow2.asm:asm:9.7",
                  "org.ow2.asm:asm-analysis:9.7",
                  "org.ow2.asm:asm-commons:9.7",
                  "org.ow2.asm:asm-tree:9.7",
                  "org.ow2.asm:asm-util:9.7"),
              // painless compiles scripts to classes in their own class loader
              """
              grant {
                permission java.lang.RuntimePermission "createClassLoader";
                permission java.lang.RuntimePermission "getClassLoader";
              };
              """),
          new Module(
              "analysis-common",
              "org.opensearch.analysis.common.CommonAnalysisPlugin",
              "lang-painless",
              List.of("org.opensearch.plugin:analysis-common:" + OS),
              null),
          new Module(
              "ingest-common",
              "org.opensearch.ingest.common.IngestCommonPlugin",
              "lang-painless",
              List.of(
                  "org.opensearch.plugin:ingest-common:" + OS,
                  "org.jruby.jcodings:jcodings:1.0.61",
                  "org.jruby.joni:joni:2.2.1",
                  "org.opensearch:opensearch-dissect:" + OS,
                  "org.opensearch:opensearch-grok:" + OS),
              null),
          new Module(
              "mapper-extras",
              "org.opensearch.index.mapper.MapperExtrasPlugin",
              "",
              List.of("org.opensearch.plugin:mapper-extras-client:" + OS),
              null),
          new Module(
              "parent-join",
              "org.opensearch.join.ParentJoinPlugin",
              "",
              List.of("org.opensearch.plugin:parent-join-client:" + OS),
              null),
          new Module(
              "aggs-matrix-stats",
              "org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin",
              "",
              List.of("org.opensearch.plugin:aggs-matrix-stats-client:" + OS),
              null),
          new Module(
              "reindex",
              "org.opensearch.index.reindex.ReindexPlugin",
              "",
              List.of(
                  "org.opensearch.plugin:reindex-client:" + OS,
                  "org.opensearch.client:opensearch-rest-client:" + OS,
                  "org.opensearch:opensearch-ssl-config:" + OS,
                  "commons-codec:commons-codec:1.16.1",
                  "commons-logging:commons-logging:1.2",
                  "org.apache.httpcomponents:httpasyncclient:4.1.5",
                  "org.apache.httpcomponents:httpclient:4.5.14",
                  "org.apache.httpcomponents:httpcore:4.4.16",
                  "org.apache.httpcomponents:httpcore-nio:4.4.16"),
              null));

  private Distributions() {}

  /**
   * The unpacked Camunda distribution under {@code distRoot}, installing it when missing.
   *
   * @throws IOException when the tarball cannot be fetched or unpacked (tar's output in the
   *     message)
   */
  static Path camunda(Path distRoot, ArtifactFetcher fetcher, Consumer<String> log)
      throws IOException {
    Path done = distRoot.resolve("camunda-zeebe-8.6.0");
    if (Files.isDirectory(done.resolve("bin"))) {
      return done;
    }
    Path tarball = fetcher.fetch(CAMUNDA, progress(log));
    log.accept("unpacking " + tarball.getFileName());
    Path tmp = Files.createTempDirectory(distRoot, ".camunda-");
    try {
      run(List.of("tar", "-xzf", tarball.toString(), "-C", tmp.toString()));
      Files.move(tmp.resolve("camunda-zeebe-8.6.0"), done, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(tmp);
    }
    return done;
  }

  /**
   * The assembled OpenSearch under {@code distRoot}, installing it when missing.
   *
   * @throws IOException when an artefact cannot be fetched or the zip is malformed
   */
  static Path openSearch(Path distRoot, ArtifactFetcher fetcher, Consumer<String> log)
      throws IOException {
    Path done = distRoot.resolve("opensearch-" + OS);
    if (Files.isDirectory(done.resolve("bin"))) {
      return done;
    }
    Path zip = fetcher.fetch(OPENSEARCH, progress(log));
    log.accept("unpacking " + zip.getFileName() + " and adding " + MODULES.size() + " modules");
    Path tmp = Files.createTempDirectory(distRoot, ".opensearch-");
    try {
      unzip(zip, tmp);
      Path home = tmp.resolve("opensearch-" + OS);
      for (Module m : MODULES) {
        Path dir = Files.createDirectories(home.resolve("modules").resolve(m.name()));
        for (String coordinates : m.jars()) {
          MavenArtifact jar = MavenArtifact.parse(coordinates);
          Files.copy(fetcher.fetch(jar, progress(log)), dir.resolve(jar.fileName()));
        }
        Files.writeString(
            dir.resolve("plugin-descriptor.properties"), descriptor(m), StandardCharsets.UTF_8);
        if (m.policy() != null) {
          Files.writeString(dir.resolve("plugin-security.policy"), m.policy());
        }
      }
      Files.move(home, done, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(tmp);
    }
    return done;
  }

  static String descriptor(Module m) {
    return "description="
        + m.name()
        + " (assembled by vmdna from Maven Central jars)\n"
        + "version="
        + OS
        + "\nname="
        + m.name()
        + "\nclassname="
        + m.classname()
        + "\njava.version=11\nopensearch.version="
        + OS
        + "\nextended.plugins="
        + m.extendedPlugins()
        + "\nhas.native.controller=false\n";
  }

  private static ArtifactFetcher.Progress progress(Consumer<String> log) {
    return (artifact, done, total) -> {
      if (total > (16 << 20) || done > (16 << 20)) {
        log.accept(
            String.format(
                "downloading %s: %d of %s MiB",
                artifact.fileName(), done >> 20, total < 0 ? "?" : Long.toString(total >> 20)));
      }
    };
  }

  /**
   * Unpacks a zip, refusing entries that leave the folder; files under a bin/ become executable.
   */
  static void unzip(Path zip, Path into) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        Path out = into.resolve(e.getName()).normalize();
        if (!out.startsWith(into)) {
          throw new IOException(zip + ": entry " + e.getName() + " points outside the folder");
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        if (out.getParent().getFileName().toString().equals("bin")) {
          out.toFile().setExecutable(true, false);
        }
      }
    }
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
