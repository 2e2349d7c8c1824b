package io.vmdna.models.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens UTF-8 text files that may be gzip-compressed (a name ending in {@code .gz}). */
public final class TextFiles {
  private TextFiles() {}

  /** A reader over the file's text, decompressed when its name ends in {@code .gz}. */
  public static BufferedReader open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }
}
