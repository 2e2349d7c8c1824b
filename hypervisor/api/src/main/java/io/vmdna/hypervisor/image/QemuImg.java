package io.vmdna.hypervisor.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real {@code qemu-img} (Debian package {@code qemu-utils}) with a timeout.
 *
 * <p>Conversions write to a temporary file beside the destination and rename it on success, so a
 * failed or killed conversion never leaves a half-written image under the final name.
 *
 * <p>Each call runs its own {@code qemu-img} process, started through a long-lived shell ({@link
 * Launcher}: one exec per call instead of the JDK's two; on this project's CI machine 0.6 ms less
 * CPU per call in a plain loop, about 1 ms under {@code ./vmdna bench}'s load), or with {@code
 * -Dvmdna.launch=jdk} by the JDK itself.
 *
 * <p>Thread-safe.
 */
public final class QemuImg {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PROGRESS = Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");

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

  /**
   * The process ids of the shells that start {@code qemu-img} for every {@code QemuImg} of this JVM
   * (see {@link Launcher}): {@code qemu-img} runs as their child, so its CPU time appears in theirs
   * ({@code cutime}, {@code cstime} of {@code /proc/<pid>/stat}), not in this JVM's. Empty with
   * {@code -Dvmdna.launch=jdk}. For measurements; a snapshot.
   */
  public static List<Long> launcherProcessIds() {
    return Launcher.DEFAULT.helperPids();
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
    List<String> args = new ArrayList<>(List.of("create", "-q", "-f", format.qemuName()));
    if (format.createOptions() != null) {
      args.addAll(List.of("-o", format.createOptions()));
    }
    args.addAll(List.of(image.toString(), Long.toString(sizeBytes)));
    run("create", args);
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
    convert(source, sourceFormat, target, targetFormat, sourceInUse, true, p -> {});
  }

  /**
   * Converts and verifies: {@code qemu-img check} on the result where the format supports it, and,
   * unless the source is in use (then it may change while it is read), {@code qemu-img compare} of
   * source and result. Only a verified image appears under {@code target}; the source is only read.
   *
   * @param verify false to skip the verification (only to measure the conversion itself)
   * @param progress called with the share done, 0 to 1, while {@code qemu-img} converts (from its
   *     {@code -p} output; on the calling thread, at most every 200 ms)
   * @throws HypervisorException naming source, target and what failed
   */
  public void convert(
      Path source,
      ImageFormat sourceFormat,
      Path target,
      ImageFormat targetFormat,
      boolean sourceInUse,
      boolean verify,
      DoubleConsumer progress) {
    Path tmp = target.resolveSibling(target.getFileName() + ".part");
    List<String> args = convertArgs(source, sourceFormat, tmp, targetFormat, sourceInUse);
    args.add(1, "-p"); // progress, read from the output while it runs
    String what = "convert " + source + " -> " + target;
    try {
      run(what, args, progress);
      if (verify && targetFormat.checkable()) {
        runAfterWrite(
            what + ": check",
            List.of("check", "-q", "-f", targetFormat.qemuName(), tmp.toString()));
      }
      if (verify && !sourceInUse) {
        requireSameContent(source, sourceFormat, tmp, targetFormat, what);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      progress.accept(1.0);
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

  /**
   * The arguments of the {@code qemu-img convert} that {@link #convert} runs, without its progress
   * flag: source format, target format and the target format's options ({@link
   * ImageFormat#createOptions}), {@code -U} for a source in use. A mutable list.
   */
  public static List<String> convertArgs(
      Path source,
      ImageFormat sourceFormat,
      Path target,
      ImageFormat targetFormat,
      boolean sourceInUse) {
    List<String> args = new ArrayList<>(List.of("convert"));
    if (sourceInUse) {
      args.add("-U");
    }
    args.addAll(List.of("-f", sourceFormat.qemuName(), "-O", targetFormat.qemuName()));
    if (targetFormat.createOptions() != null) {
      args.addAll(List.of("-o", targetFormat.createOptions()));
    }
    args.addAll(List.of(source.toString(), target.toString()));
    return args;
  }

  /**
   * Whether two images hold the same guest-visible content ({@code qemu-img compare}; unallocated
   * and zeroed sectors count as equal) and the same virtual size (VHD excepted, which rounds it up
   * to its geometry).
   *
   * <p>One {@code qemu-img} process: {@code compare} says "Image size mismatch" when the sizes
   * differ (it then compares the common part and requires the rest of the larger one to read as
   * zeros). Asking {@code info} for both sizes instead took two more processes per conversion, two
   * fifths of {@code qemu-img}'s CPU in {@code ./vmdna bench}.
   *
   * @throws HypervisorException when {@code qemu-img} cannot compare them (e.g. an image is missing
   *     or not in the named format), with its message
   */
  public boolean sameContent(Path a, ImageFormat af, Path b, ImageFormat bf) {
    List<String> args =
        List.of("compare", "-f", af.qemuName(), "-F", bf.qemuName(), a.toString(), b.toString());
    String out;
    try {
      out = runAfterWrite("compare " + a + " " + b, args);
    } catch (HypervisorException e) {
      if (e.getMessage().contains("(exit 1)")) {
        return false; // exit 1: the images differ; 2 and up: an error, rethrown
      }
      throw e;
    }
    return af == ImageFormat.VPC || bf == ImageFormat.VPC || !out.contains(SIZE_MISMATCH);
  }

  /** What {@code qemu-img compare} writes when the virtual sizes differ (checked with QEMU 10). */
  static final String SIZE_MISMATCH = "Image size mismatch";

  private void requireSameContent(
      Path source, ImageFormat sf, Path result, ImageFormat rf, String what) {
    if (!sameContent(source, sf, result, rf)) {
      throw new HypervisorException(
          "qemu-img %s: the result differs from the source; nothing was kept".formatted(what));
    }
  }

  /**
   * Points a qcow2 overlay at another backing image without reading either ({@code rebase -u}):
   * only correct when the new backing holds the same content as the old one (a converted copy).
   */
  public void rebaseUnsafe(Path overlay, Path backing, ImageFormat backingFormat) {
    run(
        "rebase " + overlay + " onto " + backing,
        List.of(
            "rebase",
            "-u",
            "-f",
            "qcow2",
            "-b",
            backing.toString(),
            "-F",
            backingFormat.qemuName(),
            overlay.toString()));
  }

  /** Writes a qcow2 overlay's data into its backing image ({@code commit}). */
  public void commit(Path overlay) {
    run("commit " + overlay, List.of("commit", "-q", "-f", "qcow2", overlay.toString()));
  }

  /**
   * Reads an image's format and virtual size with {@code qemu-img info --output=json}: the top
   * level's {@code format}, {@code virtual-size} and {@code format-specific.data.create-type} (QEMU
   * 8 and later also describe each child node, e.g. the {@code file} protocol under a qcow2, with
   * the same field names).
   */
  public Info info(Path image) {
    String json = run("info " + image, List.of("info", "--output=json", image.toString()));
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      root = null;
    }
    if (root == null
        || !root.path("format").isTextual()
        || !root.path("virtual-size").canConvertToLong()) {
      throw new HypervisorException("qemu-img info " + image + ": unexpected output: " + json);
    }
    JsonNode type = root.path("format-specific").path("data").path("create-type");
    return new Info(
        ImageFormat.fromQemu(root.get("format").asText(), type.isTextual() ? type.asText() : null),
        root.get("virtual-size").asLong());
  }

  private String run(String what, List<String> args) {
    return run(what, args, p -> {});
  }

  /** How QEMU says another process holds an image's lock. */
  static final Pattern LOCK_HELD = Pattern.compile("Failed to get (shared )?\"[a-z ]+\" lock");

  /** Attempts of {@link #runAfterWrite}, {@link #LOCK_PAUSE} apart. */
  static final int LOCK_ATTEMPTS = 20;

  static final Duration LOCK_PAUSE = Duration.ofMillis(50);

  /**
   * As {@link #run(String, List)}, for a command that opens an image a {@code qemu-img} run may
   * just have written: that run's lock on the image can outlive its process by a moment ({@code
   * qemu-img} does its I/O through io_uring, and the kernel tears a ring down, dropping its
   * reference to the file and with it the lock, in the background after the process has been
   * reaped). Seen once in 4,000 conversions of {@code ./vmdna bench}: the {@code check} right after
   * a {@code convert} failed with 'Failed to get shared "write" lock' on the temporary file only
   * that convert had opened. A lock error is tried again, for about a second in all; any other
   * error, or a lock still held then, is thrown.
   */
  private String runAfterWrite(String what, List<String> args) {
    for (int attempt = 1; ; attempt++) {
      try {
        return run(what, args, p -> {});
      } catch (HypervisorException e) {
        if (attempt >= LOCK_ATTEMPTS || !LOCK_HELD.matcher(e.getMessage()).find()) {
          throw e;
        }
      }
      try {
        Thread.sleep(LOCK_PAUSE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HypervisorException("qemu-img %s: interrupted".formatted(what), e);
      }
    }
  }

  /** The last {@code (NN.NN/100%)} that {@code -p} wrote, as a share. */
  private static java.util.Optional<Double> lastProgress(Path log) {
    try {
      Matcher m = PROGRESS.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
      Double last = null;
      while (m.find()) {
        last = Double.parseDouble(m.group(1)) / 100;
      }
      return java.util.Optional.ofNullable(last);
    } catch (IOException | NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private String run(String what, List<String> args, DoubleConsumer progress) {
    List<String> cmd = new ArrayList<>();
    cmd.add(executable);
    cmd.addAll(args);
    Path log = null;
    try {
      // output goes to a file, not a pipe, so a hung qemu-img cannot block the reader past the
      // timeout
      log = Files.createTempFile("qemu-img", ".log");
      Path out = log;
      int code;
      try {
        code =
            Launcher.DEFAULT.run(
                cmd, log, timeout, () -> lastProgress(out).ifPresent(progress::accept));
      } catch (Launcher.CannotStart e) {
        throw new HypervisorException(
            "qemu-img %s: cannot start '%s' (install Debian's qemu-utils): %s"
                .formatted(what, executable, e.getMessage()),
            e);
      }
      String text =
          PROGRESS.matcher(Files.readString(log, StandardCharsets.UTF_8)).replaceAll("").strip();
      if (code != 0) {
        throw new HypervisorException(
            "qemu-img %s failed (exit %d): %s".formatted(what, code, text));
      }
      return text;
    } catch (TimeoutException e) {
      throw new HypervisorException("qemu-img %s: timed out after %s".formatted(what, timeout));
    } catch (IOException e) {
      throw new HypervisorException("qemu-img %s: %s".formatted(what, e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HypervisorException("qemu-img %s: interrupted".formatted(what), e);
    } finally {
      try {
        if (log != null) {
          Files.deleteIfExists(log);
        }
      } catch (IOException ignored) {
        // a stray log file in the temp folder is harmless
      }
    }
  }
}
