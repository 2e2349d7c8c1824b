package io.vmdna.cli;

import io.vmdna.models.predict.ModelManifest.ReliabilityBin;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * PNG charts for the evaluation, drawn with Java2D (headless; no plotting library). Each method
 * writes one file. Stateless; thread-safe.
 */
final class Plots {
  private static final int W = 1000;
  private static final int H = 360;
  private static final int PAD = 50;

  private Plots() {}

  /**
   * Actual CPU % beside the p50 forecast and the p90 band, with the model's warnings as ticks.
   *
   * @param actual CPU % at each target time
   * @param p50 forecast for the same target times
   * @param p90 forecast
   * @param warn warnings issued for those target times
   * @param threshold the CPU % line drawn
   */
  static void forecastVsActual(
      Path file,
      String title,
      double[] actual,
      double[] p50,
      double[] p90,
      boolean[] warn,
      double threshold)
      throws IOException {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    int n = actual.length;
    axes(g, "sample (5 min)", "CPU %");
    g.setColor(new Color(255, 200, 200));
    int ty = y(threshold);
    g.drawLine(PAD, ty, W - PAD, ty);
    g.setColor(new Color(190, 210, 255));
    for (int i = 0; i < n; i++) {
      g.drawLine(x(i, n), y(p50[i]), x(i, n), y(p90[i]));
    }
    line(g, p50, n, new Color(30, 90, 220));
    line(g, actual, n, Color.BLACK);
    g.setColor(new Color(220, 40, 40));
    for (int i = 0; i < n; i++) {
      if (warn[i]) {
        g.fillRect(x(i, n) - 1, H - PAD + 4, 3, 8);
      }
    }
    legend(
        g,
        new String[] {"actual", "p50", "p50..p90", "warning"},
        new Color[] {Color.BLACK, new Color(30, 90, 220), new Color(190, 210, 255), Color.RED});
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  /** The reliability diagram: observed frequency per bin of predicted pExceed, and the diagonal. */
  static void reliability(Path file, String title, List<ReliabilityBin> bins) throws IOException {
    int size = 480;
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    int span = size - 2 * PAD;
    g.setColor(Color.GRAY);
    g.drawRect(PAD, PAD, span, span);
    g.drawLine(PAD, PAD + span, PAD + span, PAD);
    g.drawString("predicted pExceed", size / 2 - 50, size - 15);
    g.drawString("observed", 5, PAD - 8);
    g.setColor(new Color(30, 90, 220));
    g.setStroke(new BasicStroke(2));
    int px = -1;
    int py = -1;
    for (ReliabilityBin b : bins) {
      int cx = PAD + (int) (b.meanPredicted() * span);
      int cy = PAD + span - (int) (b.observed() * span);
      g.fillOval(cx - 4, cy - 4, 8, 8);
      if (px >= 0) {
        g.drawLine(px, py, cx, cy);
      }
      px = cx;
      py = cy;
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  /**
   * One policy's line in {@link #timeline}.
   *
   * @param name legend label
   * @param perStep the value per 5-minute step
   * @param marks steps at which a mark (a migration) is drawn in the policy's lane
   */
  record Series(String name, int[] perStep, int[] marks) {}

  private static final Color[] PALETTE = {
    new Color(30, 90, 220), new Color(220, 120, 20), new Color(120, 120, 120)
  };

  /**
   * A timeline: each series as hourly means (12 steps) on a shared axis, and below the plot one
   * lane per series with a tick per mark.
   */
  static void timeline(Path file, String title, List<Series> series) throws IOException {
    int lane = 14;
    int height = H + lane * series.size();
    BufferedImage img = new BufferedImage(W, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    int steps = series.stream().mapToInt(s -> s.perStep().length).max().orElse(1);
    int hours = Math.max(1, (steps + 11) / 12);
    double[][] hourly = new double[series.size()][hours];
    double max = 1;
    for (int i = 0; i < series.size(); i++) {
      int[] v = series.get(i).perStep();
      for (int hr = 0; hr < hours; hr++) {
        int from = hr * 12;
        int to = Math.min(v.length, from + 12);
        double sum = 0;
        for (int k = from; k < to; k++) {
          sum += v[k];
        }
        hourly[i][hr] = to > from ? sum / (to - from) : 0;
        max = Math.max(max, hourly[i][hr]);
      }
    }
    int top = PAD;
    int bottom = H - PAD;
    g.setColor(Color.GRAY);
    g.drawRect(PAD, top, W - 2 * PAD, bottom - top);
    for (int t = 0; t <= 4; t++) {
      int yy = bottom - t * (bottom - top) / 4;
      g.drawString(String.format(java.util.Locale.ROOT, "%.0f", max * t / 4), 8, yy + 5);
    }
    g.drawString("days", W / 2 - 15, H - 10);
    for (int d = 0; d * 24 < hours; d += Math.max(1, hours / 24 / 10)) {
      int xx = PAD + (int) ((long) d * 24 * (W - 2 * PAD) / hours);
      g.drawString(String.valueOf(d), xx - 3, bottom + 15);
    }
    g.drawString("VMs", 5, top - 8);
    for (int i = 0; i < series.size(); i++) {
      Color c = PALETTE[i % PALETTE.length];
      g.setColor(c);
      g.setStroke(new BasicStroke(1.3f));
      for (int hr = 1; hr < hours; hr++) {
        g.drawLine(
            PAD + (int) ((long) (hr - 1) * (W - 2 * PAD) / hours),
            bottom - (int) (hourly[i][hr - 1] / max * (bottom - top)),
            PAD + (int) ((long) hr * (W - 2 * PAD) / hours),
            bottom - (int) (hourly[i][hr] / max * (bottom - top)));
      }
      int ly = H + i * lane;
      g.drawString(series.get(i).name() + " migrations", 5, ly + 10);
      for (int m : series.get(i).marks()) {
        int xx = PAD + (int) ((long) m * (W - 2 * PAD) / Math.max(1, steps));
        g.drawLine(xx, ly, xx, ly + lane - 4);
      }
    }
    legend(
        g,
        series.stream().map(Series::name).toArray(String[]::new),
        java.util.stream.IntStream.range(0, series.size())
            .mapToObj(i -> PALETTE[i % PALETTE.length])
            .toArray(Color[]::new));
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static Graphics2D canvas(BufferedImage img, String title) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(title, PAD, 20);
    return g;
  }

  private static void axes(Graphics2D g, String xLabel, String yLabel) {
    g.setColor(Color.GRAY);
    g.drawRect(PAD, PAD, W - 2 * PAD, H - 2 * PAD);
    for (int v = 0; v <= 100; v += 20) {
      g.drawString(String.valueOf(v), 15, y(v) + 5);
    }
    g.drawString(xLabel, W / 2 - 40, H - 10);
    g.drawString(yLabel, 5, PAD - 8);
  }

  private static void line(Graphics2D g, double[] v, int n, Color c) {
    g.setColor(c);
    g.setStroke(new BasicStroke(1.3f));
    for (int i = 1; i < n; i++) {
      g.drawLine(x(i - 1, n), y(v[i - 1]), x(i, n), y(v[i]));
    }
  }

  private static void legend(Graphics2D g, String[] names, Color[] colors) {
    int lx = W - PAD - 330;
    for (int i = 0; i < names.length; i++) {
      g.setColor(colors[i]);
      g.fillRect(lx + i * 85, 28, 12, 10);
      g.setColor(Color.BLACK);
      g.drawString(names[i], lx + i * 85 + 16, 38);
    }
  }

  private static int x(int i, int n) {
    return PAD + (int) ((long) i * (W - 2 * PAD) / Math.max(1, n - 1));
  }

  private static int y(double pct) {
    double v = Math.max(0, Math.min(100, pct));
    return H - PAD - (int) (v / 100 * (H - 2 * PAD));
  }
}
