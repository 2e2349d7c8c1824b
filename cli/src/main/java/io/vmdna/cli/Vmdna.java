package io.vmdna.cli;

import io.vmdna.flink.DnaProfilerJob;
import io.vmdna.store.MigrationRecord;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code ./vmdna}: the command line. Commands: {@code demo} (the whole loop, embedded). Later
 * issues add {@code detect}, {@code train}, {@code evaluate}, {@code forecast}, {@code simulate},
 * {@code collect} and {@code stack}.
 */
public final class Vmdna {
  private Vmdna() {}

  static final String USAGE =
      """
      usage: ./vmdna <command> [options]

      commands:
        demo   run the whole loop on this machine: in-process Zeebe engine, embedded PostgreSQL,
               Flink MiniCluster, the simulated fleet replaying a Bitbrains extract, the workers
               options: --data DIR              traces + fleet.csv (default data/bitbrains-demo)
                        --work DIR              disk images, temp files (default target/vmdna-demo)
                        --steps-per-second N    5-minute steps replayed per second (default 4)
                        --zeebe-port N          engine gRPC port, 0 = any free (default 26500)
                        --parallelism N         Flink parallelism (default 2)
        bench  drive N migrations through the process on the in-process engine and report
               migrations/s and the latency each job type adds
               options: --migrations N (default 200), --hosts N (default 20), --work DIR,
                        --gateway URL (a real Zeebe gateway, e.g. http://localhost:26500;
                        default: the in-process engine)
        evaluate  walk forward through traces: the trend forecaster beside persistence and
               seasonal-naive at 15/30/60 min (MAE, onsets caught, false warnings, p90 coverage)
               options: --traces DIR (required), --from-fraction F (default 0.8), --output DIR
                        (default target/vmdna-evaluate)
        help   print this text
      """;

  /** Entry point; exits with 0 on success, 2 on bad usage, 1 on failure. */
  public static void main(String[] args) {
    int code;
    try {
      code = run(args, System.out, System.err);
    } catch (Exception e) {
      System.err.println("vmdna: " + e.getMessage());
      e.printStackTrace(System.err);
      code = 1;
    }
    // engine, worker and Flink threads would otherwise keep the JVM alive (recipes/one-jvm-demo.md)
    System.exit(code);
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    return switch (args[0]) {
      case "demo" -> demo(parse(args), out);
      case "evaluate" -> {
        evaluate(args).run(out);
        yield 0;
      }
      case "bench" -> {
        bench(args).run(out);
        yield 0;
      }
      default -> {
        err.println("vmdna: unknown command '" + args[0] + "'");
        err.print(USAGE);
        yield 2;
      }
    };
  }

  /**
   * A command's {@code --name value} options, checked against the names it knows. Errors name the
   * option and what was wrong with it.
   */
  record Options(String command, Map<String, String> values) {
    static Options parse(String command, String[] args, Set<String> known) {
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 1; i < args.length; i++) {
        String opt = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + opt + " needs a value");
        }
        if (!known.contains(opt)) {
          throw new IllegalArgumentException("unknown option " + opt + " for " + command);
        }
        values.put(opt, args[++i]);
      }
      return new Options(command, values);
    }

    Path path(String opt, Path fallback) {
      return values.containsKey(opt) ? Path.of(values.get(opt)) : fallback;
    }

    String text(String opt, String fallback) {
      return values.getOrDefault(opt, fallback);
    }

    int integer(String opt, int fallback) {
      return (int) number(opt, fallback, Integer::parseInt);
    }

    double decimal(String opt, double fallback) {
      return number(opt, fallback, Double::parseDouble);
    }

    private double number(String opt, double fallback, ToDoubleFunction<String> parse) {
      String v = values.get(opt);
      if (v == null) {
        return fallback;
      }
      try {
        return parse.applyAsDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("option " + opt + " needs a number, got '" + v + "'");
      }
    }
  }

  static DemoSettings parse(String[] args) {
    DemoSettings d = DemoSettings.defaults();
    Options o =
        Options.parse(
            "demo",
            args,
            Set.of("--data", "--work", "--steps-per-second", "--zeebe-port", "--parallelism"));
    return new DemoSettings(
        o.path("--data", d.dataDir()),
        o.path("--work", d.workDir()),
        o.integer("--zeebe-port", d.zeebePort()),
        o.decimal("--steps-per-second", d.stepsPerSecond()),
        o.integer("--parallelism", d.flinkParallelism()));
  }

  static EvaluateCommand evaluate(String[] args) {
    Options o = Options.parse("evaluate", args, Set.of("--traces", "--from-fraction", "--output"));
    Path traces = o.path("--traces", null);
    double from = o.decimal("--from-fraction", 0.8);
    if (traces == null) {
      throw new IllegalArgumentException("evaluate needs --traces DIR");
    }
    if (!(from >= 0 && from < 1)) {
      throw new IllegalArgumentException("--from-fraction must be in [0, 1), was " + from);
    }
    return new EvaluateCommand(
        traces,
        from,
        o.path("--output", DemoSettings.defaults().workDir().resolveSibling("vmdna-evaluate")));
  }

  static MigrationBench bench(String[] args) {
    Options o =
        Options.parse("bench", args, Set.of("--migrations", "--hosts", "--work", "--gateway"));
    return new MigrationBench(
        o.integer("--migrations", 200),
        o.integer("--hosts", 20),
        DemoSettings.defaults().dataDir(),
        o.path("--work", DemoSettings.defaults().workDir().resolveSibling("vmdna-bench")),
        o.text("--gateway", null));
  }

  private static int demo(DemoSettings settings, PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    out.printf(
        "vmdna demo: starting PostgreSQL, Zeebe engine (port %d) and workers...%n",
        settings.zeebePort());
    try (DemoLoop loop = new DemoLoop(settings).start()) {
      out.printf(
          "vmdna demo: ready in %.1f s; replaying %d VMs on %d hosts at %.0f steps/s%n",
          seconds(t0),
          loop.fleet().vms().size(),
          loop.fleet().hosts().size(),
          settings.stepsPerSecond());
      DnaProfilerJob.Counters c =
          loop.run(
              Duration.ofSeconds(5),
              Duration.ofSeconds(60),
              p ->
                  out.printf(
                      "  [%5.1f s] sim time %s, %d samples to go, migrations %s%n",
                      seconds(t0),
                      Instant.ofEpochSecond(p.simTimeS()),
                      p.samplesLeft(),
                      p.migrations()));
      EngineOutcomes o = loop.outcomes();
      Map<String, Long> ends = o.endEvents();
      out.println();
      out.println("vmdna demo summary");
      out.printf("  VMs watched          %d%n", c.vms());
      out.printf(
          "  samples              %d (skipped bad lines: %d)%n",
          c.samples(), loop.fleet().skippedLines().size());
      out.printf("  anomalies            %d samples flagged by the control chart%n", c.anomalies());
      out.printf(
          "  signals              %d published (%d held back by the per-VM cooldown)%n",
          c.signals(), c.suppressed());
      out.printf(
          "  process instances    %d started, %d completed, by end event %s%n",
          o.started(), o.completed(), ends);
      out.printf(
          "  migrations           %d started, %d completed, %d rolled back%n",
          loop.records().size(),
          ends.getOrDefault("MigratedEndEvent", 0L),
          ends.getOrDefault("RolledBackEndEvent", 0L));
      for (MigrationRecord r : loop.records()) {
        out.printf(
            "    %-16s VM %-4s %s -> %s  %s: %s%n",
            r.status(),
            r.vmId(),
            r.sourceHostId(),
            r.targetHostId() == null ? "-" : r.targetHostId(),
            r.signalType(),
            r.reason());
      }
      out.printf(
          "  host overload        %s (5-minute steps with CPU demand above capacity)%n",
          loop.fleet().overloadSteps().isEmpty() ? "none" : loop.fleet().overloadSteps());
      out.printf("  took %.1f s%n", seconds(t0));
    }
    return 0;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
