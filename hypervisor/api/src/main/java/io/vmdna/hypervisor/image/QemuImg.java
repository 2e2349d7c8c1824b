package io.vmdna.hypervisor.image;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real {@code qemu-img} (Debian package {@code qemu-utils}) with a timeout.
 *
 * <p>Conversions write to a temporary file beside the destination and rename it on success, so a
 * failed or killed conversion never leaves a half-written image under the final name.
 *
 * <p>Thread-safe: each call runs its own process.
 */
public final class QemuImg {
  private static final Pattern FORMAT = Pattern.compile("\"format\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern VIRTUAL_SIZE = Pattern.compile("\"virtual-size\"\\s*:\\s*(\\d+)");

  private final String executable;
  private final Duration timeout;

  /**
   * @param executable the {@code qemu-img} binary (a name on PATH or a path)
   * @param timeout how long one call may run before it is killed
   */
  public QemuImg(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  /** {@code qemu-img} from PATH with a 10-minute timeout. */
  public static QemuImg onPath() {
    return new QemuImg("qemu-img", Duration.ofMinutes(10));
  }

  /**
   * What {@code qemu-img info} says of an image.
   *
   * @param format the detected format
   * @param virtualSizeBytes the guest-visible disk size, bytes
   */
  public record Info(ImageFormat format, long virtualSizeBytes) {}

  /** Creates an empty image of the given virtual size (bytes). */
  public void create(Path image, ImageFormat format, long sizeBytes) {
    run(
        "create",
        List.of(
            "create", "-q", "-f", format.qemuName(), image.toString(), Long.toString(sizeBytes)));
  }

  /**
   * Converts {@code source} to {@code target} in {@code targetFormat}. The target appears
   * atomically (temporary file, then rename).
   *
   * @throws HypervisorException naming source, target and qemu-img's error when it fails
   */
  public void convert(
      Path source, ImageFormat sourceFormat, Path target, ImageFormat targetFormat) {
    convert(source, sourceFormat, target, targetFormat, false);
  }

  /**
   * As {@link #convert(Path, ImageFormat, Path, ImageFormat)}; with {@code sourceInUse} the source
   * is read although a running guest holds it ({@code -U}, no lock): the copy may then be
   * inconsistent, which only suits a pre-copy whose content a live storage migration overwrites, or
   * a base that an external snapshot has frozen.
   */
  public void convert(
      Path source,
      ImageFormat sourceFormat,
      Path target,
      ImageFormat targetFormat,
      boolean sourceInUse) {
    Path tmp = target.resolveSibling(target.getFileName() + ".part");
    List<String> args = new ArrayList<>(List.of("convert", "-q"));
    if (sourceInUse) {
      args.add("-U");
    }
    args.addAll(
        List.of(
            "-f",
            sourceFormat.qemuName(),
            "-O",
            targetFormat.qemuName(),
            source.toString(),
            tmp.toString()));
    try {
      run("convert " + source + " -> " + target, args);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new HypervisorException("qemu-img convert: cannot move " + tmp + " to " + target, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: the .part name is never mistaken for a finished image
      }
    }
  }

  /** Reads an image's format and virtual size with {@code qemu-img info --output=json}. */
  public Info info(Path image) {
    String json = run("info " + image, List.of("info", "--output=json", image.toString()));
    Matcher f = FORMAT.matcher(json);
    Matcher s = VIRTUAL_SIZE.matcher(json);
    if (!f.find() || !s.find()) {
      throw new HypervisorException("qemu-img info " + image + ": unexpected output: " + json);
    }
    return new Info(ImageFormat.fromQemuName(f.group(1)), Long.parseLong(s.group(1)));
  }

  private String run(String what, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(executable);
    cmd.addAll(args);
    Path log;
    Process p;
    try {
      // output goes to a file, not a pipe, so a hung qemu-img cannot block the reader past the
      // timeout
      log = Files.createTempFile("qemu-img", ".log");
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new HypervisorException(
          "qemu-img %s: cannot start '%s' (install Debian's qemu-utils): %s"
              .formatted(what, executable, e.getMessage()),
          e);
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new HypervisorException("qemu-img %s: timed out after %s".formatted(what, timeout));
      }
      String text = Files.readString(log, StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new HypervisorException(
            "qemu-img %s failed (exit %d): %s".formatted(what, p.exitValue(), text));
      }
      return text;
    } catch (IOException e) {
      throw new HypervisorException("qemu-img %s: %s".formatted(what, e.getMessage()), e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new HypervisorException("qemu-img %s: interrupted".formatted(what), e);
    } finally {
      try {
        Files.deleteIfExists(log);
      } catch (IOException ignored) {
        // a stray log file in the temp folder is harmless
      }
    }
  }
}
