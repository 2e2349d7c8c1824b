package io.vmdna.cli;

import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.image.QemuImg;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./vmdna bench-convert}: what vmdna's image conversion costs beside calling {@code
 * qemu-img} by hand on the same image. A qcow2 image of {@code sizeMiB} holding {@code dataMiB} of
 * data (written with {@code qemu-io}) is converted to every format, {@code rounds} times each way
 * (after one warm-up): by hand ({@code qemu-img convert -f qcow2 -O F}), through {@link
 * QemuImg#convert} without verification (the {@code -U} path used for a running guest's disk), and
 * through {@link QemuImg#convert} with its verification ({@code qemu-img check} where the format
 * has one, and {@code compare}). Reports the median seconds and the overhead of each over by hand.
 *
 * @param work folder for the images (deleted images only; the folder stays)
 * @param sizeMiB virtual size of the source image
 * @param dataMiB data written into it
 * @param rounds timed rounds per format and way
 */
public record ConvertBench(Path work, int sizeMiB, int dataMiB, int rounds) {

  /**
   * One format's medians, seconds.
   *
   * @param byHand qemu-img convert by hand
   * @param wrapper QemuImg.convert without verification
   * @param verified QemuImg.convert with check and compare
   */
  public record Row(double byHand, double wrapper, double verified) {
    /** Overhead of the wrapper over by hand, as a share. */
    public double wrapperOverhead() {
      return wrapper / byHand - 1;
    }
  }

  /** Runs; prints and returns the medians by format. */
  public Map<ImageFormat, Row> run(PrintStream out) throws Exception {
    if (rounds < 1 || sizeMiB < 1 || dataMiB < 0 || dataMiB > sizeMiB) {
      throw new IllegalArgumentException(
          "bench-convert: need --rounds >= 1 and 0 <= --data-mib <= --size-mib, were %d, %d, %d"
              .formatted(rounds, dataMiB, sizeMiB));
    }
    Files.createDirectories(work);
    QemuImg qemu = QemuImg.onPath();
    Path source = work.resolve("bench-source.qcow2");
    Files.deleteIfExists(source);
    qemu.create(source, ImageFormat.QCOW2, (long) sizeMiB << 20);
    // data in 8 MiB chunks spread over the disk, each with its own pattern
    int chunks = Math.max(1, dataMiB / 8);
    long stride = ((long) sizeMiB << 20) / chunks;
    for (int i = 0; i < chunks && dataMiB > 0; i++) {
      exec(
          List.of(
              "qemu-io",
              "-f",
              "qcow2",
              "-c",
              "write -P 0x%02x %d %dM".formatted(1 + i % 250, i * stride, Math.min(8, dataMiB)),
              source.toString()));
    }
    out.printf(
        "vmdna bench-convert: qcow2 of %d MiB holding %d MiB, %d rounds (median, s)%n",
        sizeMiB, dataMiB, rounds);
    out.println("| to | qemu-img by hand | vmdna | overhead | vmdna + check + compare |");
    out.println("|---|---:|---:|---:|---:|");
    Map<ImageFormat, Row> rows = new LinkedHashMap<>();
    for (ImageFormat f : ImageFormat.values()) {
      Path target = work.resolve("bench-out." + f.extension());
      // the command vmdna runs, less its progress output (format options included: without
      // subformat=streamOptimized the two would not write the same image)
      List<String> byHand = QemuImg.convertArgs(source, ImageFormat.QCOW2, target, f, false);
      byHand.addFirst("qemu-img");
      Row r =
          new Row(
              median(() -> exec(byHand), target),
              median(
                  () -> qemu.convert(source, ImageFormat.QCOW2, target, f, false, false, p -> {}),
                  target),
              median(() -> qemu.convert(source, ImageFormat.QCOW2, target, f), target));
      rows.put(f, r);
      out.printf(
          java.util.Locale.ROOT,
          "| %s | %.3f | %.3f | %+.1f %% | %.3f |%n",
          f.formatName(),
          r.byHand(),
          r.wrapper(),
          100 * r.wrapperOverhead(),
          r.verified());
    }
    Files.deleteIfExists(source);
    return rows;
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  /** One warm-up, then the median of the timed rounds; deletes the output after each. */
  private double median(Step step, Path output) throws Exception {
    double[] s = new double[rounds];
    for (int i = -1; i < rounds; i++) {
      long t0 = System.nanoTime();
      step.run();
      double took = (System.nanoTime() - t0) / 1e9;
      Files.deleteIfExists(output);
      if (i >= 0) {
        s[i] = took;
      }
    }
    Arrays.sort(s);
    return s[rounds / 2];
  }

  private static void exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(cmd + " failed: " + new String(output));
    }
  }
}
