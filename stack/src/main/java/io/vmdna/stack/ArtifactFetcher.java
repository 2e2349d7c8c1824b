package io.vmdna.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Gets artefacts the way Maven does: from the local Maven repository when they are there, else
 * downloaded from a remote repository (Maven Central by default) into the local one, checked
 * against the remote's SHA-1 and moved into place only when complete, so an interrupted download
 * leaves nothing half-written behind.
 *
 * <p>Thread-safe: concurrent fetches of the same artefact each download to their own temporary
 * file; the last move wins with identical content.
 */
public final class ArtifactFetcher {
  /** Maven Central. */
  public static final URI CENTRAL = URI.create("https://repo.maven.apache.org/maven2/");

  /** Reports download progress; called from the fetching thread. */
  @FunctionalInterface
  public interface Progress {
    /**
     * @param artifact what is downloading
     * @param done bytes so far
     * @param total bytes in all, or -1 when the server did not say
     */
    void downloaded(MavenArtifact artifact, long done, long total);
  }

  private final Path localRepository;
  private final URI remote;
  private final HttpClient http;

  /**
   * @param localRepository a Maven local repository folder (created when missing)
   * @param remote the remote repository's base address, ending in '/'
   */
  public ArtifactFetcher(Path localRepository, URI remote) {
    this.localRepository = localRepository;
    this.remote = remote.toString().endsWith("/") ? remote : URI.create(remote + "/");
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(30))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /**
   * The user's Maven repository ({@code -Dmaven.repo.local}, else {@code ~/.m2/repository}) and
   * Maven Central, or the remote named by the environment variable {@code VMDNA_MAVEN_REPOSITORY}
   * (a mirror).
   */
  public static ArtifactFetcher defaults() {
    String local = System.getProperty("maven.repo.local");
    Path repo =
        local != null && !local.isBlank()
            ? Path.of(local)
            : Path.of(System.getProperty("user.home"), ".m2", "repository");
    String mirror = System.getenv("VMDNA_MAVEN_REPOSITORY");
    return new ArtifactFetcher(
        repo, mirror != null && !mirror.isBlank() ? URI.create(mirror) : CENTRAL);
  }

  /** Where {@code artifact} lives in the local repository (whether or not it is there yet). */
  public Path localPath(MavenArtifact artifact) {
    return localRepository.resolve(artifact.repositoryPath());
  }

  /**
   * The artefact's file in the local repository, downloading it first when it is not there.
   *
   * @throws IOException naming the artefact and the address when the remote does not have it (HTTP
   *     status given), cannot be reached, or sends a file whose SHA-1 is not the one it publishes
   */
  public Path fetch(MavenArtifact artifact, Progress progress) throws IOException {
    Path target = localPath(artifact);
    if (Files.isRegularFile(target)) {
      return target;
    }
    Files.createDirectories(target.getParent());
    URI address = remote.resolve(artifact.repositoryPath());
    String expectedSha1 = text(URI.create(address + ".sha1"), artifact);
    Path part = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".part");
    try {
      HttpResponse<InputStream> response = send(address, artifact);
      long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      MessageDigest sha1 = sha1();
      try (InputStream in = response.body();
          OutputStream out = Files.newOutputStream(part)) {
        byte[] buffer = new byte[1 << 16];
        long done = 0;
        long reported = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          sha1.update(buffer, 0, n);
          done += n;
          if (done - reported >= (8 << 20)) {
            progress.downloaded(artifact, done, total);
            reported = done;
          }
        }
        progress.downloaded(artifact, done, total);
      }
      String actual = HexFormat.of().formatHex(sha1.digest());
      if (!actual.equals(expectedSha1)) {
        throw new IOException(
            "download of "
                + artifact
                + " from "
                + address
                + " has SHA-1 "
                + actual
                + ", the repository says "
                + expectedSha1
                + ": not used");
      }
      Files.writeString(target.resolveSibling(target.getFileName() + ".sha1"), expectedSha1);
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** The first word of a small text file (a .sha1), lower case. */
  private String text(URI address, MavenArtifact artifact) throws IOException {
    HttpResponse<InputStream> response = send(address, artifact);
    try (InputStream in = response.body()) {
      String body = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.US_ASCII);
      String word = body.strip().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
      if (!word.matches("[0-9a-f]{40}")) {
        throw new IOException(address + " is not a SHA-1 (" + artifact + ")");
      }
      return word;
    }
  }

  private HttpResponse<InputStream> send(URI address, MavenArtifact artifact) throws IOException {
    HttpResponse<InputStream> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(address).timeout(Duration.ofMinutes(2)).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + artifact, e);
    } catch (IOException e) {
      throw new IOException(
          "cannot fetch " + artifact + " from " + address + ": " + e.getMessage(), e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException(
          artifact + " is not available from " + address + " (HTTP " + response.statusCode() + ")");
    }
    return response;
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
