package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.cli.simulate.BundledPolicy;
import io.vmdna.cli.simulate.FleetLayout;
import io.vmdna.cli.simulate.Simulation;
import io.vmdna.cli.simulate.Simulation.Policy;
import io.vmdna.flink.ProfilerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vmdna simulate} on hand-built traces with known answers, through the real decision path
 * (the shipped XGBoost4J model, Camunda's DMN engine on the bundled policy, the placement module).
 */
class SimulateCommandTest {
  private static final long GIB_KB = 1L << 20;

  /** The hosts these scenarios are built for: 32 cores of 2.6 GHz, 512 GiB. */
  private static final FleetLayout.HostSize HOST = new FleetLayout.HostSize(83_200, 512 * GIB_KB);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  /**
   * Two hosts of 83,200 MHz; on the first, from day 3 on, a steady VM at 60 % of host CPU shares
   * the host with a VM that spikes every day from 14:00 to 15:00 UTC: together they overload it for
   * an hour a day. Days 0-2 the spiky VM runs alone, so its pattern is history by day 3.
   */
  private static Path dailySpike(Path dir) {
    long end = SimTraces.AUG_1 + 6 * SimTraces.DAY_S;
    SimTraces.write(
        dir,
        "spiky",
        32,
        8 * GIB_KB,
        2 * GIB_KB,
        SimTraces.AUG_1,
        end,
        t -> {
          long s = SimTraces.timeOfDay(t);
          return (s >= 14 * 3600 && s < 15 * 3600 ? 60 : 10) + SimTraces.wiggle(t);
        });
    SimTraces.write(
        dir,
        "steady",
        24,
        32 * GIB_KB,
        16 * GIB_KB,
        SimTraces.AUG_1 + 3 * SimTraces.DAY_S,
        end,
        t -> 80 + SimTraces.wiggle(t));
    return dir;
  }

  /**
   * A model trained on VMs whose CPU spikes at the same hour every day (each VM its own hour), so
   * it has learnt that yesterday's value at the target time matters. The shipped model, trained on
   * Bitbrains, does not anticipate a 3-day-old daily spike at 30 minutes (its p50 stays at the base
   * level): that is a limit of the model, measured in the README, not of the decision path this
   * test is about.
   */
  private static Path dailySpikeModel(Path dir) throws Exception {
    for (String part : List.of("train", "tune")) {
      for (int vm = 0; vm < 6; vm++) {
        int hour = 2 + vm * 3 + (part.equals("tune") ? 1 : 0);
        double base = 8 + 4 * vm;
        SimTraces.write(
            dir.resolve(part),
            part + vm,
            8,
            8 * GIB_KB,
            2 * GIB_KB,
            SimTraces.AUG_1,
            SimTraces.AUG_1 + 10 * SimTraces.DAY_S,
            t -> {
              long s = SimTraces.timeOfDay(t);
              return (s >= hour * 3600 && s < (hour + 1) * 3600 ? base + 60 : base)
                  + SimTraces.wiggle(t);
            });
      }
    }
    Path model = dir.resolve("model");
    new io.vmdna.models.predict.ForecastTrainer(
            new io.vmdna.models.predict.TrainingConfig(
                "daily-spikes", List.of(6), List.of(80.0), 4, 0.3, 60, 10, 1, 0.8, 42))
        .train(List.of(dir.resolve("train")), List.of(dir.resolve("tune")), model, (d, t, w) -> {});
    return model;
  }

  @Test
  void predictiveShouldMoveTheSpikyVmBeforeItsSpikeAndReactiveOnlyAfter(@TempDir Path dir)
      throws Exception {
    // given
    Path traces = dailySpike(dir.resolve("traces"));
    Path model = dailySpikeModel(dir.resolve("spikes"));

    // when
    List<Simulation.Result> runs =
        new SimulateCommand(
                traces,
                List.of(Policy.PREDICTIVE, Policy.REACTIVE, Policy.NONE),
                2,
                2.0,
                1,
                HOST,
                null,
                null,
                model.toString(),
                ProfilerConfig.CHART,
                dir.resolve("out"))
            .run(out);

    // then
    Simulation.Result predictive = runs.get(0);
    Simulation.Result reactive = runs.get(1);
    Simulation.Result none = runs.get(2);
    assertThat(predictive.migrations()).isNotEmpty();
    assertThat(reactive.migrations()).isNotEmpty();
    Simulation.Migration p = predictive.migrations().getFirst();
    Simulation.Migration r = reactive.migrations().getFirst();
    long spikeDay3 = SimTraces.AUG_1 + 3 * SimTraces.DAY_S + 14 * 3600;
    assertThat(p.vmId()).isEqualTo("spiky");
    assertThat(p.trigger()).isEqualTo("FORECAST");
    assertThat(p.endS()).isLessThanOrEqualTo(spikeDay3).isGreaterThan(spikeDay3 - 3600);
    assertThat(r.vmId()).isEqualTo("spiky");
    assertThat(r.startS()).isGreaterThan(spikeDay3).isLessThanOrEqualTo(spikeDay3 + 900);
    assertThat(none.metrics().hostOverloadMinutes()).isEqualTo(3 * 60);
    assertThat(reactive.metrics().hostOverloadMinutes()).isBetween(5L, 15L);
    assertThat(predictive.metrics().hostOverloadMinutes()).isZero();
    assertThat(predictive.metrics().pingPongs()).isZero();
  }

  @Test
  void shouldMoveNothingInAFleetWithoutContention(@TempDir Path dir) throws Exception {
    // given: three small VMs that never come near a host's capacity
    long end = SimTraces.AUG_1 + 2 * SimTraces.DAY_S;
    for (int vm = 1; vm <= 3; vm++) {
      double level = 20 + 10 * vm;
      SimTraces.write(
          dir.resolve("traces"),
          "quiet" + vm,
          4,
          4 * GIB_KB,
          GIB_KB,
          SimTraces.AUG_1,
          end,
          t -> level + 5 * SimTraces.wiggle(t));
    }

    // when
    List<Simulation.Result> runs =
        new SimulateCommand(
                dir.resolve("traces"),
                List.of(Policy.PREDICTIVE, Policy.REACTIVE, Policy.NONE),
                0,
                2.5,
                1,
                HOST,
                null,
                null,
                "shipped",
                ProfilerConfig.CHART,
                dir.resolve("out"))
            .run(out);

    // then
    assertThat(runs).hasSize(3);
    for (Simulation.Result r : runs) {
      assertThat(r.migrations()).as(r.policy().id()).isEmpty();
      assertThat(r.decisions()).as(r.policy().id()).isEmpty();
      assertThat(r.metrics().hostOverloadMinutes()).isZero();
      assertThat(r.metrics().vmDays()).isCloseTo(6.0, org.assertj.core.data.Offset.offset(0.01));
      List<String> decisions =
          Files.readAllLines(dir.resolve("out").resolve(r.policy().id()).resolve("decisions.csv"));
      assertThat(decisions).containsExactly("timestamp,host,vm,trigger,outcome,target,detail");
    }
    assertThat(Files.readAllLines(dir.resolve("out/none/hosts.csv")))
        .containsExactly("host,cpu_mhz,memory_kb", "host-01,83200,536870912");
  }

  @Test
  void shouldRecordWhyAMigrationWasRefusedWhenNoOtherHostCanAbsorbTheVm(@TempDir Path dir)
      throws Exception {
    // given: one VM per host (overcommit 1); one host at 95 %, the other at 70 %
    long end = SimTraces.AUG_1 + SimTraces.DAY_S;
    SimTraces.write(
        dir.resolve("traces"),
        "hot",
        32,
        8 * GIB_KB,
        2 * GIB_KB,
        SimTraces.AUG_1,
        end,
        t -> 95 + SimTraces.wiggle(t));
    SimTraces.write(
        dir.resolve("traces"),
        "busy",
        32,
        8 * GIB_KB,
        2 * GIB_KB,
        SimTraces.AUG_1,
        end,
        t -> 70 + SimTraces.wiggle(t));

    // when
    List<Simulation.Result> runs =
        new SimulateCommand(
                dir.resolve("traces"),
                List.of(Policy.PREDICTIVE, Policy.REACTIVE),
                2,
                1.0,
                1,
                HOST,
                null,
                null,
                "shipped",
                ProfilerConfig.CHART,
                dir.resolve("out"))
            .run(out);

    // then
    for (Simulation.Result r : runs) {
      assertThat(r.migrations()).as(r.policy().id()).isEmpty();
      assertThat(r.metrics().refused()).as(r.policy().id()).isPositive();
      Simulation.Decision d = r.decisions().getFirst();
      assertThat(d.vmId()).isEqualTo("hot");
      assertThat(d.outcome()).isEqualTo("REFUSED");
      assertThat(d.detail()).contains("no suitable host", "CPU headroom", "is the source host");
      String csv =
          Files.readString(dir.resolve("out").resolve(r.policy().id()).resolve("decisions.csv"));
      assertThat(csv).contains(",hot,", ",REFUSED,,\"no suitable host: {");
      String report =
          Files.readString(dir.resolve("out").resolve(r.policy().id()).resolve("report.json"));
      assertThat(report).contains("\"REFUSED\" : " + r.metrics().refused());
    }
  }

  @Test
  void shouldWriteTheSamePlacementForTheSameSeed(@TempDir Path dir) throws Exception {
    // given: the bundled sample (its fleet.csv is not a trace and is left out, named)
    Path demo = Path.of("../data/bitbrains-demo");
    List<Policy> all = List.of(Policy.PREDICTIVE, Policy.REACTIVE, Policy.NONE);

    // when
    new SimulateCommand(
            demo,
            all,
            0,
            2.5,
            7,
            HOST,
            null,
            null,
            "shipped",
            ProfilerConfig.CHART,
            dir.resolve("a"))
        .run(out);
    new SimulateCommand(
            demo,
            all,
            0,
            2.5,
            7,
            HOST,
            null,
            null,
            "shipped",
            ProfilerConfig.CHART,
            dir.resolve("b"))
        .run(out);

    // then
    for (Policy p : all) {
      for (String file : List.of("hosts.csv", "placement.csv", "decisions.csv")) {
        assertThat(Files.readAllLines(dir.resolve("b").resolve(p.id()).resolve(file)))
            .as(p.id() + "/" + file)
            .isEqualTo(Files.readAllLines(dir.resolve("a").resolve(p.id()).resolve(file)));
      }
      List<String> placement =
          Files.readAllLines(dir.resolve("a").resolve(p.id()).resolve("placement.csv"));
      assertThat(placement.getFirst()).isEqualTo("timestamp,vm,host");
      assertThat(placement).hasSizeGreaterThanOrEqualTo(13);
      assertThat(placement.subList(1, placement.size()))
          .allMatch(l -> l.matches("\\d+,\\d+,host-\\d\\d"));
      byte[] png = Files.readAllBytes(dir.resolve("a").resolve(p.id()).resolve("timeline.png"));
      assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
    assertThat(Files.readString(dir.resolve("a/report.json")))
        .contains("\"policies\"", "\"predictive\"", "\"reactive\"", "\"none\"", "\"goals\"");
    assertThat(Files.readString(dir.resolve("a/table.md")))
        .startsWith("| policy | host-overload min");
    assertThat(dir.resolve("a/timeline.png")).exists();
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.toString().endsWith(".tmp"))).isEmpty();
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .as("the fleet layout beside the traces is not a trace")
        .doesNotContain("fleet.csv");
  }

  @Test
  void shouldRejectBadOptionsNamingThem(@TempDir Path dir) throws Exception {
    Path t = dailySpike(dir.resolve("traces"));

    assertThatThrownBy(() -> Vmdna.simulate(args()))
        .hasMessageContaining("simulate needs --traces DIR");
    assertThatThrownBy(() -> Vmdna.simulate(args("--traces", t, "--policy", "smart")))
        .hasMessageContaining("unknown policy 'smart'");
    assertThatThrownBy(() -> Vmdna.simulate(args("--traces", t, "--policy", "none,none")))
        .hasMessageContaining("each once");
    assertThatThrownBy(() -> Vmdna.simulate(args("--traces", t, "--anomaly", "svm")))
        .hasMessageContaining("anomaly detection must be 'chart' or 'ensemble', was 'svm'");
    assertThat(Vmdna.simulate(args("--traces", t, "--anomaly", "ensemble")).anomaly())
        .isEqualTo(ProfilerConfig.ENSEMBLE);
    assertThatThrownBy(() -> Vmdna.simulate(args("--traces", t, "--hosts", "0")))
        .hasMessageContaining("--hosts must be >= 1, was 0");
    assertThatThrownBy(() -> Vmdna.simulate(args("--traces", t, "--seed", "x")))
        .hasMessageContaining("--seed needs a number, got 'x'");
    assertThatThrownBy(
            () -> simulate("--traces", t, "--overcommit", "0", "--output", dir.resolve("o")))
        .hasMessageContaining("--overcommit must be > 0, was 0.0");
    assertThatThrownBy(() -> simulate("--traces", dir.resolve("nope")))
        .hasMessageContaining("is not a folder");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> simulate("--traces", empty)).hasMessageContaining("no trace files");
    assertThatThrownBy(
            () ->
                simulate("--traces", t, "--model", dir.resolve("m"), "--output", dir.resolve("o2")))
        .hasMessageContaining(dir.resolve("m").toString());
    assertThat(dir.resolve("o2")).doesNotExist();
  }

  @Test
  void shouldReplayAnOperatorsOwnFleetAndAnEditedPolicy(@TempDir Path dir) throws Exception {
    // given: the demo's own fleet file, and a policy edited to decline every signal of the job
    Path demo = Path.of("../data/bitbrains-demo");
    String bundled = BundledPolicy.text();
    Path edited =
        Files.writeString(
            dir.resolve("never.dmn"),
            bundled
                .replace(
                    "<outputEntry id=\"ForecastOverloadRuleDecision\"><text>\"MIGRATE\"",
                    "<outputEntry id=\"ForecastOverloadRuleDecision\"><text>\"NONE\"")
                .replace(
                    "<outputEntry id=\"AnomalyNearCapacityRuleDecision\"><text>\"MIGRATE\"",
                    "<outputEntry id=\"AnomalyNearCapacityRuleDecision\"><text>\"NONE\""));
    assertThat(Files.readString(edited)).isNotEqualTo(bundled);

    // when
    Path fleet = demo.resolve("fleet.csv");
    List<Simulation.Result> own =
        simulate(
            "--traces",
            demo,
            "--fleet",
            fleet,
            "--policy",
            "predictive",
            "--output",
            dir.resolve("own"));
    List<Simulation.Result> never =
        simulate(
            "--traces",
            demo,
            "--fleet",
            fleet,
            "--policy",
            "predictive",
            "--decision",
            edited,
            "--output",
            dir.resolve("never"));

    // then: the fleet file's hosts, and its overloaded host-a relieved by the bundled policy only
    assertThat(Files.readAllLines(dir.resolve("own/hosts.csv")))
        .containsExactly(
            "host,cpu_mhz,memory_kb",
            "host-a,36000,134217728",
            "host-b,48000,201326592",
            "host-c,48000,201326592");
    assertThat(own.getFirst().migrations()).isNotEmpty();
    assertThat(own.getFirst().migrations().getFirst().fromHostId()).isEqualTo("host-a");
    assertThat(never.getFirst().migrations()).isEmpty();
    assertThat(never.getFirst().decisions())
        .anyMatch(d -> d.outcome().equals("DECLINED") && d.trigger().equals("FORECAST"));
    assertThat(never.getFirst().metrics().vmMinutesOnOverloadedHosts())
        .isGreaterThan(own.getFirst().metrics().vmMinutesOnOverloadedHosts());
    assertThat(Files.readString(dir.resolve("never/report.json"))).contains(edited.toString());
  }

  @Test
  void shouldRefuseAFleetFilePlacingAVmWithoutTrace(@TempDir Path dir) throws Exception {
    Path traces = dailySpike(dir.resolve("traces"));
    Path fleet =
        Files.writeString(
            dir.resolve("fleet.csv"), "host,h1,83200,536870912,qcow2\nvm,spiky,h1\nvm,ghost,h1\n");

    assertThatThrownBy(
            () -> simulate("--traces", traces, "--fleet", fleet, "--output", dir.resolve("o")))
        .hasMessageContaining(fleet + " places VM ghost, which has no trace ghost.csv[.gz]");
    Path bad = Files.writeString(dir.resolve("bad.dmn"), "not xml");
    assertThatThrownBy(
            () -> simulate("--traces", traces, "--decision", bad, "--output", dir.resolve("o")))
        .hasMessageContaining(bad + " is not a valid DMN file");
    assertThat(dir.resolve("o")).doesNotExist();
  }

  /** Runs {@code ./vmdna simulate} with these options (values as strings). */
  private List<Simulation.Result> simulate(Object... options) throws Exception {
    return Vmdna.simulate(args(options)).run(out);
  }

  /** The command line {@code simulate} with these options (values as strings). */
  private static String[] args(Object... options) {
    String[] args = new String[options.length + 1];
    args[0] = "simulate";
    for (int i = 0; i < options.length; i++) {
      args[i + 1] = options[i].toString();
    }
    return args;
  }
}
