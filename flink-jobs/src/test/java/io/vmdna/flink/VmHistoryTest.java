package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.VmSample;
import io.vmdna.models.dna.DnaSeries;
import io.vmdna.models.predict.ForecastFeatures;
import io.vmdna.models.predict.SeriesArrays;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmHistoryTest {
  private static VmSample sample(int i) {
    double pct = 20 + 10 * Math.sin(i / 20.0);
    return new VmSample(
        "vm-1",
        "h" + (i / 100),
        1_375_308_000L + 300L * i,
        2,
        5000,
        pct * 50,
        pct,
        4e6,
        1e6 + i,
        3 + i,
        4,
        5,
        6 + i);
  }

  @Test
  void shouldKeepTheNewestSamplesAndGiveThemBackExactly() {
    VmHistory h = new VmHistory();
    List<VmSample> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add(sample(i));
      h.append(all.getLast(), 288);
      // never fewer than keep (once seen), never more than keep plus a quarter
      assertThat(h.size).isBetween(Math.min(i + 1, 288), 288 + 72);
    }

    // the newest samples come back as they went in (on the newest host)
    List<VmSample> last = h.last(12);
    for (int k = 0; k < 12; k++) {
      assertThat(last.get(k)).isEqualTo(all.get(988 + k).onHost("h9"));
    }
    assertThat(h.last(5000)).hasSize(h.size);
    assertThat(h.lastTimestampS()).isEqualTo(all.getLast().timestampS());
  }

  @Test
  void shouldGiveTheSameFeaturesAndDnaSeriesAsTheListOfSamples() {
    VmHistory h = new VmHistory();
    List<VmSample> all = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      all.add(sample(i));
      h.append(all.getLast(), 288);
    }
    List<VmSample> kept = all.subList(all.size() - 288, all.size());

    // forecast features at the newest sample: from the columns in place, as from a fresh copy
    float[] fromColumns = new float[ForecastFeatures.SIZE];
    float[] fromList = new float[ForecastFeatures.SIZE];
    ForecastFeatures.fill(h.arrays(), h.size - 1, 6, fromColumns, 0);
    SeriesArrays copy = SeriesArrays.of(all.subList(all.size() - h.size, all.size()));
    ForecastFeatures.fill(copy, copy.size() - 1, 6, fromList, 0);
    assertThat(fromColumns).containsExactly(fromList);

    DnaSeries a = h.dnaSeries(288);
    DnaSeries b = DnaSeries.of(kept);
    assertThat(a.timestampS()).containsExactly(b.timestampS());
    assertThat(a.cpuPct()).containsExactly(b.cpuPct());
    assertThat(a.memPct()).containsExactly(b.memPct());
    assertThat(a.netTxKbps()).containsExactly(b.netTxKbps());
  }

  @Test
  void shouldKeepTheMemoryMetricsOnlyOnceASampleHasThemAndGiveThemToTheDna() {
    VmHistory h = new VmHistory();
    List<VmSample> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      VmSample s = sample(i);
      if (i >= 100) { // the source starts reporting them at sample 100; swap never
        s = s.withMemoryAccess(i % 7, Double.NaN);
      }
      all.add(s);
      h.append(s, 288);
      if (i < 100) {
        assertThat(h.majorFaultsPerS).isEmpty();
      }
    }
    assertThat(h.swapKbps).isEmpty();

    // the kept samples come back with them (NaN before sample 100), and the DNA series has them
    List<VmSample> last = h.last(h.size);
    for (int k = 0; k < last.size(); k++) {
      assertThat(last.get(k)).isEqualTo(all.get(all.size() - h.size + k).onHost("h3"));
    }
    DnaSeries d = h.dnaSeries(288);
    assertThat(d.extras()).containsOnlyKeys(DnaSeries.Extra.MAJOR_FAULTS_PS);
    assertThat(d.extras().get(DnaSeries.Extra.MAJOR_FAULTS_PS))
        .containsExactly(
            DnaSeries.of(all.subList(all.size() - 288, all.size()))
                .extras()
                .get(DnaSeries.Extra.MAJOR_FAULTS_PS));
    assertThat(DnaSeries.of(all.subList(0, 100)).extras()).isEmpty();
  }

  @Test
  void shouldKeepTheDerivedColumnsOfItsSamplesThroughGrowthShiftsAndACheckpoint() throws Exception {
    // given a history that grows, then drops its oldest samples, asked at uneven intervals
    VmHistory h = new VmHistory();
    org.apache.flink.api.common.typeutils.TypeSerializer<VmHistory> serializer =
        org.apache.flink.api.common.typeinfo.TypeInformation.of(VmHistory.class)
            .createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl());
    for (int i = 0; i < 1500; i++) {
      h.append(sample(i), 400);
      if (i % 37 == 0 || i % 101 == 0) {
        // when the logarithms are asked for
        int n = 1 + (i * 7) % 450;
        io.vmdna.models.dna.DerivedColumns logs =
            h.derivedColumns().slice(h.size - Math.min(n, h.size), h.size);

        // then they are those of the same samples as the DNA series, to the last bit
        io.vmdna.models.dna.DerivedColumns expected =
            io.vmdna.models.dna.DerivedColumns.of(h.dnaSeries(n));
        assertThat(logs.netTotal()).as("at %d", i).containsExactly(expected.netTotal());
        assertThat(logs.daySecond()).containsExactly(expected.daySecond());
        // and the DNA from the history's own arrays is the one from a copy of its samples
        io.vmdna.models.dna.DnaExtractor extractor = new io.vmdna.models.dna.DnaExtractor();
        assertThat(extractor.features(h.dnaColumns(List.of()), h.size - 1, h.derivedColumns()))
            .containsExactly(extractor.features(h.dnaSeries(h.size), h.size - 1));
      }
      if (i == 900) {
        // and a history restored from a checkpoint (the logarithms are not state) rebuilds them
        org.apache.flink.core.memory.DataOutputSerializer out =
            new org.apache.flink.core.memory.DataOutputSerializer(1024);
        serializer.serialize(h, out);
        h =
            serializer.deserialize(
                new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
      }
    }
  }

  @Test
  void theDnaFromTheHistorysOwnArraysShouldBeTheDnaOfACopyOverMoreThanAWeek() {
    // given more than a week held (the DNA reads its last week only), then older samples dropped
    VmHistory h = new VmHistory();
    io.vmdna.models.dna.DnaExtractor extractor = new io.vmdna.models.dna.DnaExtractor();
    for (int i = 0; i < 2_600; i++) {
      h.append(sample(i), 2_100);
      if (i >= 2_000 && i % 97 == 0) {
        // when the DNA is computed from the history's arrays, not copied
        double[] own = extractor.features(h.dnaColumns(List.of()), h.size - 1, h.derivedColumns());

        // then it is the DNA of a copy of the same samples, to the last bit
        assertThat(own)
            .as("at %d", i)
            .containsExactly(extractor.features(h.dnaSeries(h.size), h.size - 1));
        // and without the derived columns the view cuts its week out as a series would
        assertThat(extractor.features(h.dnaColumns(List.of()), h.size - 1)).containsExactly(own);
      }
    }
  }

  @Test
  void shouldRefuseASampleThatIsNotLater() {
    VmHistory h = new VmHistory();
    h.append(sample(5), 10);

    assertThatThrownBy(() -> h.append(sample(5), 10))
        .hasMessageContaining("sample of vm-1 at 1375309500 is not after the newest one");
  }
}
