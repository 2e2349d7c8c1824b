package io.vmdna.models.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.VmSample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BitbrainsTraceReaderTest {
  private static final String HEADER = String.join(";\t", BitbrainsTraceReader.COLUMNS);
  private static final String ROW1 =
      "1375308176;\t2;\t5851.9989;\t747.1;\t12.76;\t8388608.0;\t1308620.0;\t0.0;\t1.0;\t11.0;\t27.2";
  private static final String ROW2 =
      "1375308476;\t2;\t5851.9989;\t672.9;\t11.5;\t8388608.0;\t1157626.4;\t2.0;\t1.0;\t13.4;\t30.6";

  @TempDir Path dir;
  private final BitbrainsTraceReader reader = new BitbrainsTraceReader();

  private Path write(String name, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  @Test
  void shouldReadPlainCsvIntoSamplesInUnits() throws IOException {
    VmTrace t = reader.read(write("42.csv", HEADER, ROW1, ROW2));

    assertThat(t.vmId()).isEqualTo("42");
    assertThat(t.skipped()).isEmpty();
    assertThat(t.samples()).hasSize(2);
    VmSample s = t.samples().getFirst();
    assertThat(s.timestampS()).isEqualTo(1375308176L);
    assertThat(s.cpuCores()).isEqualTo(2);
    assertThat(s.cpuUsageMhz()).isEqualTo(747.1);
    assertThat(s.memUsageKb()).isEqualTo(1308620.0);
    assertThat(s.netKbps()).isEqualTo(11.0 + 27.2);
    assertThat(t.samples().get(1).diskKbps()).isEqualTo(3.0);
    assertThat(s.hostId()).isEmpty();
  }

  @Test
  void shouldReadGzipAndSortAndKeepTheLastRowOfADuplicateTimestamp() throws IOException {
    Path p = dir.resolve("7.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(
          String.join("\n", HEADER, ROW2, ROW1, ROW1.replace("747.1", "999.0"), "")
              .getBytes(StandardCharsets.UTF_8));
    }

    VmTrace t = reader.read(p);

    assertThat(t.vmId()).isEqualTo("7");
    assertThat(t.samples())
        .extracting(VmSample::timestampS)
        .containsExactly(1375308176L, 1375308476L);
    assertThat(t.samples().getFirst().cpuUsageMhz()).isEqualTo(999.0);
  }

  @Test
  void shouldSkipBadLinesNamingFileLineAndReason() throws IOException {
    Path p =
        write(
            "3.csv",
            HEADER,
            ROW1,
            ROW2.replace("672.9", "NaN"),
            "1375308776;\t2;\t5851.9989",
            ROW2.replace("13.4", "-1"),
            ROW2.replace("2.0", "two"),
            ROW2.replace("672.9", ""),
            "",
            ROW2.replace("1375308476", "1375309076"));

    VmTrace t = reader.read(p);

    assertThat(t.samples()).hasSize(2);
    assertThat(t.skipped())
        .extracting(SkippedLine::toString)
        .containsExactly(
            p + ":3: column 'CPU usage [MHZ]' is NaN",
            p + ":4: expected 11 fields, found 3",
            p + ":5: column 'Network received throughput [KB/s]' is negative: -1",
            p + ":6: column 'Disk read throughput [KB/s]' is not a number: 'two'",
            p + ":7: column 'CPU usage [MHZ]' is empty");
  }

  @Test
  void shouldRejectFileWithoutBitbrainsHeader() throws IOException {
    Path wrong = write("1.csv", "time,cpu", "1,2");
    Path renamed = write("2.csv", HEADER.replace("CPU cores", "Cores"), ROW1);
    Path empty = write("3.csv");

    assertThatThrownBy(() -> reader.read(wrong))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining(wrong + " line 1: expected 11");
    assertThatThrownBy(() -> reader.read(renamed))
        .hasMessageContaining("column 2 is 'Cores', expected 'CPU cores'");
    assertThatThrownBy(() -> reader.read(empty)).hasMessageContaining("is empty");
    assertThatThrownBy(() -> reader.read(dir.resolve("missing.csv")))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("cannot read trace");
  }

  @Test
  void shouldListTraceFilesInNumericOrderWithoutTheFleetFile() throws IOException {
    write("10.csv.gz", HEADER);
    write("9.csv", HEADER);
    write("notes.txt", "x");
    write("fleet.csv", "host,a,1000,1000,qcow2\n");

    assertThat(BitbrainsTraceReader.listTraceFiles(dir))
        .extracting(BitbrainsTraceReader::vmIdOf)
        .containsExactly("9", "10");
    assertThatThrownBy(() -> BitbrainsTraceReader.listTraceFiles(dir.resolve("nope")))
        .hasMessageContaining("does not exist");
  }
}
