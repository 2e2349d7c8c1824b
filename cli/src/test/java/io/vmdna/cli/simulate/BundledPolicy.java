package io.vmdna.cli.simulate;

import io.vmdna.bpmn.ProcessContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test support: the bundled migrationPolicy DMN as text, for tests that write edited copies. */
public final class BundledPolicy {
  private BundledPolicy() {}

  /** The XML of {@link ProcessContract#DMN_RESOURCE}. */
  public static String text() {
    try (InputStream in =
        BundledPolicy.class.getClassLoader().getResourceAsStream(ProcessContract.DMN_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
