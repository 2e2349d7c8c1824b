package io.vmdna.models.trace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Test support for fuzz tests of text readers (shared through this module's test jar): random edits
 * of a seed file, driven by a caller's {@link Random} so a failure replays from its seed.
 */
public final class Mutations {
  private Mutations() {}

  /** One to four random edits: bytes, tokens, lines, truncation. */
  public static byte[] mutate(byte[] in, Random r) {
    List<String> lines =
        new ArrayList<>(List.of(new String(in, StandardCharsets.ISO_8859_1).split("\n", -1)));
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits && !lines.isEmpty(); e++) {
      int at = r.nextInt(lines.size());
      String line = lines.get(at);
      switch (r.nextInt(10)) {
        case 0 -> lines.remove(at);
        case 1 -> lines.add(at, line);
        case 2 -> lines.set(at, line.substring(0, r.nextInt(line.length() + 1)));
        case 3 -> lines.set(at, line.replace(";\t", r.nextBoolean() ? "," : ";"));
        case 4 -> lines.set(at, replaceToken(line, r, TOKENS[r.nextInt(TOKENS.length)]));
        case 5 -> lines.set(at, line + ";\t" + r.nextInt());
        case 6 -> lines.add(at, randomBytes(r, r.nextInt(200)));
        case 7 -> {
          char[] c = line.toCharArray();
          if (c.length > 0) {
            c[r.nextInt(c.length)] = (char) r.nextInt(256);
          }
          lines.set(at, new String(c));
        }
        case 8 -> lines.set(at, "x".repeat(r.nextInt(100_000)));
        default -> {
          if (at > 0) {
            lines.set(at, lines.get(at - 1)); // a repeated or going-back timestamp
          }
        }
      }
    }
    byte[] out = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
    return r.nextInt(8) == 0 ? Arrays.copyOf(out, r.nextInt(out.length + 1)) : out;
  }

  private static final String[] TOKENS = {
    "NaN",
    "-1",
    "Infinity",
    "1e309",
    "",
    " ",
    "0",
    "-0.0",
    "99999999999999999999",
    "1,5",
    "--",
    "\u0000",
    "1375315200.5",
    "null"
  };

  private static String replaceToken(String line, Random r, String token) {
    String[] f = line.split(";\t", -1);
    f[r.nextInt(f.length)] = token;
    return String.join(";\t", f);
  }

  private static String randomBytes(Random r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append((char) r.nextInt(256));
    }
    return b.toString();
  }

  /** Gzips; one time in four the stream is cut short or has a flipped byte. */
  public static byte[] gzip(byte[] data, Random r) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(bytes)) {
      z.write(data);
    }
    byte[] out = bytes.toByteArray();
    switch (r.nextInt(4)) {
      case 0 -> out = Arrays.copyOf(out, r.nextInt(out.length + 1));
      case 1 -> out[r.nextInt(out.length)] ^= (byte) (1 + r.nextInt(255));
      default -> {}
    }
    return out;
  }
}
