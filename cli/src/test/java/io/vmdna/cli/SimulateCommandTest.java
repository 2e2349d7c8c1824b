package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.cli.simulate.Simulation;
import io.vmdna.cli.simulate.Simulation.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
                model.toString(),
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
}
