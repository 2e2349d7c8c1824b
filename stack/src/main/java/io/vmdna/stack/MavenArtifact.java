package io.vmdna.stack;

import java.util.Objects;

/**
 * One file in a Maven repository, by its coordinates {@code group:artifact:version[:extension[
 * :classifier]]} (extension defaults to {@code jar}).
 *
 * @param group e.g. {@code io.camunda}
 * @param artifact e.g. {@code camunda-zeebe}
 * @param version e.g. {@code 8.6.0}
 * @param extension e.g. {@code tar.gz}, {@code zip}, {@code jar}
 * @param classifier empty for none
 */
public record MavenArtifact(
    String group, String artifact, String version, String extension, String classifier) {

  /** Validates: every part but the classifier non-blank, no part with a '/' or "..". */
  public MavenArtifact {
    for (String part : new String[] {group, artifact, version, extension}) {
      if (part == null || part.isBlank()) {
        throw new IllegalArgumentException(
            "artifact " + group + ":" + artifact + ":" + version + ": a part is blank");
      }
    }
    Objects.requireNonNull(classifier, "classifier");
    for (String part : new String[] {group, artifact, version, extension, classifier}) {
      if (part.contains("/") || part.contains("..") || part.contains("\\")) {
        throw new IllegalArgumentException("artifact part '" + part + "' is not a plain name");
      }
    }
  }

  /**
   * Parses {@code group:artifact:version[:extension[:classifier]]}.
   *
   * @throws IllegalArgumentException naming the text when it has fewer than 3 or more than 5 parts
   */
  public static MavenArtifact parse(String coordinates) {
    String[] p = coordinates.split(":", -1);
    if (p.length < 3 || p.length > 5) {
      throw new IllegalArgumentException(
          "'" + coordinates + "' is not group:artifact:version[:extension[:classifier]]");
    }
    return new MavenArtifact(
        p[0], p[1], p[2], p.length > 3 ? p[3] : "jar", p.length > 4 ? p[4] : "");
  }

  /** The file name, e.g. {@code camunda-zeebe-8.6.0.tar.gz}. */
  public String fileName() {
    return artifact
        + "-"
        + version
        + (classifier.isEmpty() ? "" : "-" + classifier)
        + "."
        + extension;
  }

  /** The path in a Maven repository's layout, e.g. {@code io/camunda/camunda-zeebe/8.6.0/...}. */
  public String repositoryPath() {
    return group.replace('.', '/') + "/" + artifact + "/" + version + "/" + fileName();
  }

  @Override
  public String toString() {
    return group
        + ":"
        + artifact
        + ":"
        + version
        + ":"
        + extension
        + (classifier.isEmpty() ? "" : ":" + classifier);
  }
}
