package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.bpmn.ProcessContract;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.models.dna.DnaSchema;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.store.DnaHistoryRepository;
import io.vmdna.store.DnaRecord;
import io.vmdna.store.EmbeddedDatabase;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** DnaProfilerJob on a real Flink MiniCluster (parallelism 2), fed by the simulated fleet. */
class DnaProfilerJobIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path images;

  private static Map<String, Double> capacities(SimFleet fleet) {
    Map<String, Double> c = new LinkedHashMap<>();
    fleet.hosts().forEach(h -> c.put(h.hostId(), h.cpuCapacityMhz()));
    return c;
  }

  private static DnaProfilerJob.Counters run(
      SimFleet fleet, CollectingSink sink, ProfilerConfig config, EmbeddedDatabase store)
      throws Exception {
    String feed = "it-" + System.nanoTime();
    InJvmFeeds.register(feed, fleet);
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      DnaProfilerJob job = new DnaProfilerJob(FeedSource.of(feed, 1_000_000), sink, config);
      if (store != null) {
        job = job.withDnaHistory(new DnaHistorySink(store.jdbcUrl(), "postgres", "postgres", 50));
      }
      return DnaProfilerJob.Counters.of(job.execute(env));
    } finally {
      InJvmFeeds.unregister(feed);
    }
  }

  @Test
  void shouldSignalAheadOfHostOverloadAndRespectCooldowns() throws Exception {
    DnaProfilerJob.Counters counters = signalAheadOfOverload(ProfilerConfig.TREND, null);

    assertThat(counters.modelForecasts()).isZero();
  }

  @Test
  void shouldSignalAheadWithTheShippedModelScoredInBatchesAndWriteTheDnaHistory() throws Exception {
    try (EmbeddedDatabase store = EmbeddedDatabase.start()) {
      DnaProfilerJob.Counters counters = signalAheadOfOverload(ProfilerConfig.SHIPPED, store);

      // every profile (from a VM's 6th sample on) got the model's forecast, in fewer calls
      assertThat(counters.modelForecasts()).isEqualTo(12 * (289 - 5L));
      assertThat(counters.modelBatches()).isBetween(1L, counters.modelForecasts() / 2);

      // each VM's DNA history: its first profile, then one every 3 hours of its day of samples
      DnaHistoryRepository history = new DnaHistoryRepository(store.dataSource());
      java.util.Set<String> vms =
          FleetSpec.read(Path.of("../data/bitbrains-demo/fleet.csv")).placement().keySet();
      assertThat(vms).hasSize(12);
      for (String vm : vms) {
        List<DnaRecord> h = history.history(vm, 100);
        assertThat(h).hasSizeBetween(8, 10);
        assertThat(h).allSatisfy(r -> assertThat(r.embedding()).hasSize(16));
        assertThat(h).extracting(DnaRecord::schemaVersion).containsOnly(DnaSchema.VERSION);
        List<Long> hours = h.stream().map(r -> r.computedAtS() / 3600).toList();
        assertThat(hours).doesNotHaveDuplicates();
      }
    }
  }

  private DnaProfilerJob.Counters signalAheadOfOverload(String model, EmbeddedDatabase store)
      throws Exception {
    // given the bundled fleet, and the time host-a would first be overloaded
    Path data = Path.of("../data/bitbrains-demo");
    FleetSpec spec = FleetSpec.read(data.resolve("fleet.csv"));
    SimFleet probe = SimFleet.load(data, spec, images.resolve("probe"), QemuImg.onPath());
    long overloadStartS = -1;
    while (probe.remainingSamples() > 0 && overloadStartS < 0) {
      probe.nextStep();
      if (probe.overloadSteps().containsKey("host-a")) {
        overloadStartS = probe.nowS() - SimFleet.STEP_S;
      }
    }
    SimFleet fleet = SimFleet.load(data, spec, images.resolve("fleet"), QemuImg.onPath());
    ProfilerConfig config = ProfilerConfig.defaults(capacities(fleet)).withForecastModel(model);
    CollectingSink sink = new CollectingSink("ahead-" + model);

    // when
    DnaProfilerJob.Counters counters = run(fleet, sink, config, store);

    // then
    List<MigrationSignal> signals = sink.collected();
    assertThat(counters.vms()).isEqualTo(12);
    assertThat(counters.samples()).isEqualTo(12 * 289L);
    assertThat(counters.signals()).isEqualTo(signals.size());
    MigrationSignal firstOnA =
        signals.stream()
            .filter(s -> s.hostId().equals("host-a"))
            .min(Comparator.comparingLong(MigrationSignal::windowEndS))
            .orElseThrow();
    assertThat(firstOnA.windowEndS())
        .as("signalled before the overload")
        .isLessThan(overloadStartS);
    assertThat(firstOnA.migrationId())
        .isEqualTo(ProcessContract.migrationId(firstOnA.vmId(), firstOnA.windowEndS()));
    assertThat(firstOnA.hostCapacityMhz()).isEqualTo(36000.0);
    assertThat(firstOnA.dnaSchemaVersion()).isEqualTo(DnaSchema.VERSION);
    assertThat(firstOnA.embedding())
        .hasSize(16)
        .allSatisfy(v -> assertThat(v).isBetween(-1.0, 1.0));
    assertThat(firstOnA.variables())
        .containsKeys(
            "migrationId",
            "vmId",
            "hostId",
            "signalType",
            "windowEnd",
            "forecast",
            "anomaly",
            "dna",
            "reason");
    // an anomaly signal names what fired: here the chart, since the ensemble's two-day warm-up is
    // longer than this one-day extract (VmProfileAnomalyTest covers the ensemble); an overload
    // signal names nothing
    assertThat(signals)
        .allSatisfy(
            s ->
                assertThat(s.detectors())
                    .isEqualTo(
                        ProcessContract.SignalTypes.ANOMALY.equals(s.signalType())
                            ? List.of(VmProfiler.CHART_DETECTOR)
                            : List.of()));
    if (ProfilerConfig.SHIPPED.equals(model)) {
      // the shipped model sees this overload only as it starts: the chart's anomaly signal is first
      assertThat(firstOnA.signalType()).isEqualTo(ProcessContract.SignalTypes.ANOMALY);
    }

    // the fleet never moves a VM here, so host-a stays hot: the gates must space its signals of
    // one kind (overload and anomaly signals cool down apart)
    Map<String, List<Long>> byVm =
        signals.stream()
            .collect(
                Collectors.groupingBy(
                    s -> s.vmId() + "/" + s.signalType(),
                    Collectors.mapping(MigrationSignal::windowEndS, Collectors.toList())));
    byVm.values().forEach(times -> assertGaps(times, config.vmCooldownS()));
    Map<String, List<Long>> byHost =
        signals.stream()
            .collect(
                Collectors.groupingBy(
                    s -> s.hostId() + "/" + s.signalType(),
                    Collectors.mapping(MigrationSignal::windowEndS, Collectors.toList())));
    byHost.values().forEach(times -> assertGaps(times, config.hostCooldownS()));
    assertThat(signals.stream().filter(s -> s.hostId().equals("host-a")).count()).isGreaterThan(1);
    return counters;
  }

  private static void assertGaps(List<Long> times, long atLeastS) {
    List<Long> sorted = times.stream().sorted().toList();
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i) - sorted.get(i - 1)).isGreaterThanOrEqualTo(atLeastS);
    }
  }

  /** Two flows an hour of one VM (tcp and udp to two destinations), from the fleet's start. */
  static final class HourlyFlows implements GeneratorFunction<Long, FlowRecord> {
    private static final long serialVersionUID = 1L;
    private final String vmId;
    private final long startS;

    HourlyFlows(String vmId, long startS) {
      this.vmId = vmId;
      this.startS = startS;
    }

    @Override
    public FlowRecord map(Long i) {
      return new FlowRecord(
          vmId, startS + 3600 * (i / 2), i % 2 == 0 ? "tcp" : "udp", "10.0.0." + (1 + i % 2), 1000);
    }
  }

  @Test
  void shouldFeedFlowRecordsIntoTheDnaOfTheirVmOnly() throws Exception {
    // given the bundled fleet, run twice: without flows, and with a day of one VM's flows
    Path data = Path.of("../data/bitbrains-demo");
    FleetSpec spec = FleetSpec.read(data.resolve("fleet.csv"));
    List<String> vms = spec.placement().keySet().stream().sorted().toList();
    String withFlows = vms.getFirst();
    String other = vms.getLast();
    Map<String, List<DnaRecord>> dna = new LinkedHashMap<>();
    for (boolean flows : new boolean[] {false, true}) {
      SimFleet fleet =
          SimFleet.load(data, spec, images.resolve("flows-" + flows), QemuImg.onPath());
      long startS = fleet.nowS();
      ProfilerConfig config =
          ProfilerConfig.defaults(capacities(fleet)).withForecastModel(ProfilerConfig.TREND);
      String feed = "flows-" + flows + "-" + System.nanoTime();
      InJvmFeeds.register(feed, fleet);
      try (EmbeddedDatabase store = EmbeddedDatabase.start()) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DnaProfilerJob job =
            new DnaProfilerJob(
                    FeedSource.of(feed, 1_000_000), new CollectingSink("flows-" + flows), config)
                .withDnaHistory(new DnaHistorySink(store.jdbcUrl(), "postgres", "postgres", 50));
        if (flows) {
          job =
              job.withFlows(
                  new DataGeneratorSource<>(
                      new HourlyFlows(withFlows, startS),
                      48,
                      TypeInformation.of(FlowRecord.class)));
        }
        var result = job.execute(env);

        // when
        if (flows) {
          assertThat(((Number) result.getAccumulatorResult(VmProfileFunction.FLOWS)).longValue())
              .isEqualTo(48);
        }
        DnaHistoryRepository history = new DnaHistoryRepository(store.dataSource());
        dna.put(withFlows + "/" + flows, history.history(withFlows, 100));
        dna.put(other + "/" + flows, history.history(other, 100));
      } finally {
        InJvmFeeds.unregister(feed);
      }
    }

    // then the VM with flows got other DNAs once its flows arrived; every other VM the same ones
    List<DnaRecord> plain = dna.get(withFlows + "/false");
    List<DnaRecord> flowed = dna.get(withFlows + "/true");
    assertThat(flowed).hasSameSizeAs(plain).hasSizeGreaterThan(2);
    assertThat(flowed.getFirst().embedding()).isNotEqualTo(plain.getFirst().embedding());
    assertThat(dna.get(other + "/true")).isEqualTo(dna.get(other + "/false"));
  }

  @Test
  void shouldRejectSamplesOfVmsOutsideTheFleetAndCountThem() throws Exception {
    // given a data gate that knows every VM of the bundled fleet but one
    Path data = Path.of("../data/bitbrains-demo");
    SimFleet fleet =
        SimFleet.load(data, FleetSpec.read(data.resolve("fleet.csv")), images, QemuImg.onPath());
    java.util.Set<String> known = new java.util.HashSet<>();
    fleet.vms().forEach(v -> known.add(v.vmId()));
    String stranger = known.iterator().next();
    known.remove(stranger);
    String feed = "it-gate-" + System.nanoTime();
    InJvmFeeds.register(feed, fleet);
    DnaProfilerJob.Counters counters;
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      counters =
          DnaProfilerJob.Counters.of(
              new DnaProfilerJob(
                      FeedSource.of(feed, 1_000_000),
                      new CollectingSink("gate"),
                      ProfilerConfig.defaults(capacities(fleet)),
                      new io.vmdna.models.SampleCheck(known, 86_400),
                      new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                  .execute(env));
    } finally {
      InJvmFeeds.unregister(feed);
    }

    // then its samples never reached the profiler, and each was counted
    assertThat(counters.rejected()).containsExactly(java.util.Map.entry("UNKNOWN_VM", 289L));
    assertThat(counters.samples()).isEqualTo(11 * 289L);
    assertThat(counters.vms()).isEqualTo(11);
  }

  @Test
  void shouldSkipBadSampleLinesAndKeepRunning() throws Exception {
    // given a trace with a NaN, a missing field and a negative value
    Path data = Path.of("src/test/resources/bad-lines");
    SimFleet fleet =
        SimFleet.load(data, FleetSpec.read(data.resolve("fleet.csv")), images, QemuImg.onPath());

    // when
    DnaProfilerJob.Counters counters =
        run(fleet, new CollectingSink("bad"), ProfilerConfig.defaults(capacities(fleet)), null);

    // then every valid sample was processed and each bad line was counted with file and line
    assertThat(counters.samples()).isEqualTo(39 + 39);
    assertThat(fleet.skippedLines())
        .extracting(l -> l.file().getFileName().toString() + ":" + l.line())
        .containsExactly("bad.csv:31", "bad.csv:32", "bad.csv:33");
    assertThat(fleet.skippedLines())
        .extracting(l -> l.reason())
        .containsExactly(
            "column 'CPU usage [MHZ]' is NaN",
            "expected 11 fields, found 10",
            "column 'CPU usage [MHZ]' is negative: -5.0");
  }
}
