package io.vmdna.cli;

import io.vmdna.flink.DnaProfilerJob;
import io.vmdna.flink.ProfilerConfig;
import io.vmdna.models.dna.DnaAutoencoder;
import io.vmdna.models.dna.DnaTrainer;
import io.vmdna.models.predict.TrainingConfig;
import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code ./vmdna}: the command line. Commands: {@code demo} (the whole loop, embedded), {@code
 * bench}, {@code train}, {@code dna-train}, {@code evaluate}, {@code forecast}, {@code
 * bench-forecast}, {@code detect}, {@code detect-eval}, {@code simulate}, {@code collect} and
 * {@code stack}.
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
                        --forecast-model M      shipped (XGBoost4J model in the jar, default),
                                                a model folder, or trend (damped-trend rule)
                        --gateway URL           a real Zeebe gateway instead of the in-process
                                                engine (e.g. http://localhost:26500 of
                                                ./vmdna stack up; follow it in Operate)
        bench  drive N migrations through the process on the in-process engine and report
               migrations/s and the latency each job type adds
               options: --migrations N (default 200), --hosts N (default 20), --work DIR,
                        --gateway URL (a real Zeebe gateway, e.g. http://localhost:26500;
                        default: the in-process engine), --rate N (requests per second;
                        default: as fast as the engine accepts them), --host-mhz N (each
                        host's CPU; default: so large that capacity never binds), --warmup N
                        (unmeasured migrations of other VMs first; default 1000 with --gateway,
                        0 on the in-process engine, which slows down as instances accumulate)
        train  train the XGBoost4J forecast models (p50/p90 of CPU %, memory %, network; a
               calibrated pExceed) and write a model folder with its manifest
               options: --train DIR... --validate DIR... --output DIR (required),
                        --horizons 15m,30m,60m (multiples of 5 min up to 60), --thresholds 80,
                        --threads N, --rounds N (default 150), --eta X (0.3), --depth N (4),
                        --name NAME
        dna-train  learn the DNA's fleet scaling and its 16-number autoencoder embedding
               from traces; report reconstruction error, how often a VM's validation DNA finds
               itself among the nearest VMs, and the error's signal for a CPU shift
               options: --train DIR... --validate DIR... --output DIR (required),
                        --stride N (samples between vectors, default 36), --epochs N (40),
                        --hidden N (64), --embedding N (16), --seed N (1)
        evaluate  walk forward through traces: the model beside persistence and seasonal-naive
               (and the trend rule) at 15/30/60 min: MAE, onsets caught, false warnings per
               VM-day, p90 coverage, reliability; writes report.json, table.md and PNG plots
               options: --traces DIR (required), --model DIR|shipped|none (default shipped),
                        --from-fraction F (default 0.8), --output DIR (default
                        target/vmdna-evaluate)
        forecast  run a model causally over every trace in a folder; one CSV row per sample:
               vm,timestamp,horizon_s,cpu_p50,cpu_p90,p_exceed,warn
               options: --traces DIR --horizon 30m --output FILE (required), --threshold 80,
                        --model DIR|shipped (default shipped)
        bench-forecast  batch scoring speed on one core (features, scoring, together)
               options: --traces DIR (required), --model DIR|shipped, --horizon 30m,
                        --batch N (default 4096), --rounds N (default 3)
        detect  score one series for anomalies (causal; warm-up rows score 0); writes
               timestamp,value,score,alarm, one row per input row
               options: --input FILE --output FILE (required), --time-column C, --value-column C,
                        --threshold T (alarm score, (0, 1]; default the one detect-eval calibrated)
        detect-eval  inject anomalies into traces' CPU % (shift, spike, drift, daily pattern),
               report recall within 1 h and false alarms per VM-week; calibrates the threshold
               on other traces first
               options: --traces DIR --calibrate DIR (required), --threshold T (evaluate this
                        one instead of calibrating), --seed N, --output DIR
        simulate  what-if: lay a fleet out from traces, replay it under migration policies on
               simulated time, compare overload and migrations; writes hosts.csv, placement.csv,
               decisions.csv, report.json and timeline.png (per policy in DIR/<policy>/ when
               several, with a side-by-side report.json, table.md and timeline.png in DIR)
               options: --traces DIR (required), --policy predictive[,reactive][,none]
                        (default predictive,reactive,none), --hosts N (default: as many as
                        first fit needs), --overcommit R (default 2.5), --seed S (default 1),
                        --host-mhz MHZ (default 83200), --host-gib GIB (default 512),
                        --fleet FILE (your own hosts and placement, the demo's
                        fleet.csv format, instead of the layout options),
                        --decision FILE (an edited migration-policy.dmn to try before
                        deploying it; default the bundled one),
                        --model DIR|shipped (default shipped), --anomaly chart|ensemble
                        (the job's anomaly detection, default chart), --output DIR
                        (default target/vmdna-simulate)
        bench-convert  image conversion through vmdna (qemu-img with progress, check and
               compare) beside qemu-img by hand, to every format
               options: --size-mib N (default 2048), --data-mib N (default 200),
                        --rounds N (default 3), --work DIR
        bench-migrate  migration times on two real libvirt hosts on this machine (root,
               libvirt, QEMU): LIVE migrations of a TCG guest of 256 MiB rewriting 32 MiB/s,
               WARM migrations of one with a disk and their LIVE moves back (disk copied);
               total time and downtime per migration and their spread
               options: --runs N (default 10), --max-downtime-ms MS (the planned pause;
                        default the libvirt module's 50; 300 is QEMU's own), --guest-cache DIR
        bench-profiler  the fleet-scale replay: N simulated VMs (replaying the traces) through
               the whole Flink job on a local MiniCluster; samples/s, µs per sample, peak heap
               options: --vms 1000,5000,10000 (default), --vms-per-host N (default 20),
                        --steps N (default 288, one day), --parallelism N (default 2),
                        --forecast-model shipped|trend|DIR (default shipped),
                        --anomaly chart|ensemble (default chart; the ensemble scores
                        from a VM's third day, so give it --steps 864 or more),
                        --traces DIR... (default data/bitbrains-demo; several folders,
                        e.g. a month each: a VM's files of the same name joined in order),
                        --warmups N (unreported runs first, default 3: JIT)
        collect  poll hypervisors (or replay the simulated fleet) and publish every VM sample to
               a Kafka topic, keyed by VM, as JSON (the profiler's cluster job reads it)
               options: --kafka-bootstrap HOST:PORT (required), --topic T (default vm-samples),
                        --kafka-properties FILE (producer settings, e.g. security),
                        --libvirt id=uri[,id=uri...] (live hosts, polled every --interval,
                        default 5m) or --traces DIR (replay DIR's fleet.csv at
                        --steps-per-second, default 4), --steps N (stop after N; default:
                        to the replay's end, forever for libvirt), --work DIR,
                        --cpu-speed-factors host=factor[,...] (libvirt samples in
                        reference MHz: factor = how fast the host's cores are);
                        with --libvirt, the guests' network flows too: --flows-topic T
                        --vm-addresses FILE (vm,address lines) [--conntrack-command CMD,
                        default "conntrack -L -o extended", run without a shell; the
                        profiler reads T with --kafka-flows-topic)
        stack up|down|status  the real Camunda 8.6 distribution (broker, gateway, Operate on
               http://localhost:8080/operate, login demo/demo) on a local OpenSearch, fetched
               from Maven Central on first use; data kept between restarts; status exits 3
               when not healthy
               options: --home DIR (default $VMDNA_STACK_HOME, /var/lib/vmdna/stack for root,
                        else ~/.local/share/vmdna/stack); for up: --gateway-port N (26500;
                        the broker also takes N+1, N+2), --operate-port N (8080),
                        --management-port N (9600), --opensearch-port N (9200; also N+100),
                        --timeout 5m
        help   print this text
      """;

  /** Entry point; exits with 0 on success, 2 on bad usage, 1 on failure. */
  public static void main(String[] args) {
    int code;
    try {
      code = run(args, System.out, System.err);
    } catch (Exception e) {
      code = report(e, System.err);
    }
    // engine, worker and Flink threads would otherwise keep the JVM alive (recipes/one-jvm-demo.md)
    System.exit(code);
  }

  /**
   * Reports a command's failure and returns its exit code: bad usage (an {@link
   * IllegalArgumentException}: an unknown option, a missing or malformed value, an input that is
   * not what the command reads; its message names what was wrong and where) is one line and 2,
   * anything else is the message with its stack trace and 1.
   */
  static int report(Exception e, PrintStream err) {
    err.println("vmdna: " + e.getMessage());
    if (e instanceof IllegalArgumentException) {
      err.println("(./vmdna help lists the commands and their options)");
      return 2;
    }
    e.printStackTrace(err);
    return 1;
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    if (Arrays.asList(args).subList(1, args.length).stream()
        .anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      String usage = usageOf(args[0]);
      out.print(usage.isEmpty() ? USAGE : "usage: ./vmdna " + usage.stripLeading());
      return 0;
    }
    return switch (args[0]) {
      case "demo" -> demo(parse(args), out);
      case "evaluate" -> {
        evaluate(args).run(out);
        yield 0;
      }
      case "forecast" -> {
        forecast(args).run(out);
        yield 0;
      }
      case "bench-forecast" -> {
        benchForecast(args).run(out);
        yield 0;
      }
      case "detect" -> {
        detect(args).run(out);
        yield 0;
      }
      case "detect-eval" -> {
        detectEval(args).run(out);
        yield 0;
      }
      case "train" -> {
        train(args).run(out);
        yield 0;
      }
      case "dna-train" -> {
        dnaTrain(args).run(out);
        yield 0;
      }
      case "bench-convert" -> {
        benchConvert(args).run(out);
        yield 0;
      }
      case "bench-migrate" -> {
        benchMigrate(args).run(out);
        yield 0;
      }
      case "simulate" -> {
        simulate(args).run(out);
        yield 0;
      }
      case "bench-profiler" -> {
        benchProfiler(args).run(out);
        yield 0;
      }
      case "collect" -> {
        collect(args).run(out);
        yield 0;
      }
      case "bench" -> {
        bench(args).run(out);
        yield 0;
      }
      case "stack" -> StackCommand.parse(args).run(out);
      default -> {
        err.println("vmdna: unknown command '" + args[0] + "'");
        err.print(USAGE);
        yield 2;
      }
    };
  }

  /**
   * One command's part of {@link #USAGE}: its line and the more deeply indented lines under it;
   * empty for a name that is not a command.
   */
  static String usageOf(String command) {
    StringBuilder b = new StringBuilder();
    boolean in = false;
    for (String line : USAGE.lines().toList()) {
      String body = line.stripLeading();
      int indent = line.length() - body.length();
      if (indent == COMMAND_INDENT) {
        in = body.equals(command) || body.startsWith(command + " ");
      } else if (indent < COMMAND_INDENT) {
        in = false;
      }
      if (in) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }

  /** Where a command's name starts on its line of {@link #USAGE}. */
  private static final int COMMAND_INDENT = 2;

  /**
   * A command's {@code --name value} options, checked against the names it knows. Errors name the
   * option and what was wrong with it.
   */
  record Options(String command, Map<String, List<String>> all) {
    static Options parse(String command, String[] args, Set<String> known) {
      return parse(command, args, known, Set.of());
    }

    /**
     * Parses {@code --name value} pairs; options in {@code multi} take one or more values (up to
     * the next {@code --option}).
     */
    static Options parse(String command, String[] args, Set<String> known, Set<String> multi) {
      Map<String, List<String>> values = new LinkedHashMap<>();
      for (int i = 1; i < args.length; i++) {
        String opt = args[i];
        if (!known.contains(opt)) {
          throw new IllegalArgumentException("unknown option " + opt + " for " + command);
        }
        if (i + 1 >= args.length || (multi.contains(opt) && args[i + 1].startsWith("--"))) {
          throw new IllegalArgumentException("option " + opt + " needs a value");
        }
        List<String> v = values.computeIfAbsent(opt, k -> new ArrayList<>());
        v.add(args[++i]);
        while (multi.contains(opt) && i + 1 < args.length && !args[i + 1].startsWith("--")) {
          v.add(args[++i]);
        }
      }
      return new Options(command, values);
    }

    /** The last value of each option. */
    Map<String, String> values() {
      Map<String, String> last = new LinkedHashMap<>();
      all.forEach((k, v) -> last.put(k, v.getLast()));
      return last;
    }

    /** All values of a multi-value option as paths; empty when absent. */
    List<Path> paths(String opt) {
      return all.getOrDefault(opt, List.of()).stream().map(Path::of).toList();
    }

    Path path(String opt, Path fallback) {
      return all.containsKey(opt) ? Path.of(values().get(opt)) : fallback;
    }

    String text(String opt, String fallback) {
      return values().getOrDefault(opt, fallback);
    }

    int integer(String opt, int fallback) {
      return (int) number(opt, fallback, Integer::parseInt);
    }

    /** A duration like {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT5M}). */
    Duration duration(String opt, Duration fallback) {
      String v = values().get(opt);
      if (v == null) {
        return fallback;
      }
      try {
        return v.toUpperCase(java.util.Locale.ROOT).startsWith("PT")
            ? Duration.parse(v)
            : io.vmdna.models.Durations.parse(v);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "option " + opt + " needs a duration like 30s, 5m or 1h, got '" + v + "'");
      }
    }

    double decimal(String opt, double fallback) {
      return number(opt, fallback, Double::parseDouble);
    }

    private double number(String opt, double fallback, ToDoubleFunction<String> parse) {
      String v = values().get(opt);
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
            Set.of(
                "--data",
                "--work",
                "--steps-per-second",
                "--zeebe-port",
                "--parallelism",
                "--forecast-model",
                "--gateway"));
    if (o.values().containsKey("--gateway") && o.values().containsKey("--zeebe-port")) {
      throw new IllegalArgumentException(
          "demo: --gateway (a real broker) and --zeebe-port (the in-process engine's port) exclude"
              + " each other");
    }
    return new DemoSettings(
        o.path("--data", d.dataDir()),
        o.path("--work", d.workDir()),
        o.integer("--zeebe-port", d.zeebePort()),
        o.decimal("--steps-per-second", d.stepsPerSecond()),
        o.integer("--parallelism", d.flinkParallelism()),
        o.text("--forecast-model", d.forecastModel()),
        o.text("--gateway", null));
  }

  static EvaluateCommand evaluate(String[] args) {
    Options o =
        Options.parse(
            "evaluate", args, Set.of("--traces", "--model", "--from-fraction", "--output"));
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
        o.text("--model", "shipped"),
        from,
        o.path("--output", DemoSettings.defaults().workDir().resolveSibling("vmdna-evaluate")));
  }

  static ForecastCommand forecast(String[] args) {
    Options o =
        Options.parse(
            "forecast",
            args,
            Set.of("--traces", "--horizon", "--threshold", "--model", "--output"));
    Path traces = o.path("--traces", null);
    Path output = o.path("--output", null);
    if (traces == null || output == null || !o.all().containsKey("--horizon")) {
      throw new IllegalArgumentException(
          "forecast needs --traces DIR, --horizon (e.g. 30m) and --output FILE");
    }
    if (!java.nio.file.Files.isDirectory(traces)) {
      throw new IllegalArgumentException("--traces " + traces + " is not a folder");
    }
    return new ForecastCommand(
        traces,
        horizon(o.text("--horizon", "")),
        o.decimal("--threshold", 80),
        o.text("--model", "shipped"),
        output);
  }

  static DnaTrainCommand dnaTrain(String[] args) {
    Options o =
        Options.parse(
            "dna-train",
            args,
            Set.of(
                "--train",
                "--validate",
                "--output",
                "--stride",
                "--epochs",
                "--hidden",
                "--embedding",
                "--seed"),
            Set.of("--train", "--validate"));
    if (o.paths("--train").isEmpty() || o.paths("--validate").isEmpty()) {
      throw new IllegalArgumentException("dna-train needs --train DIR... and --validate DIR...");
    }
    Path output = o.path("--output", null);
    if (output == null) {
      throw new IllegalArgumentException(
          "dna-train needs --output DIR (the folder to write dna-model.json into)");
    }
    DnaTrainer.Config d = DnaTrainer.Config.defaults();
    DnaAutoencoder.Settings a = d.autoencoder();
    DnaAutoencoder.Settings settings =
        new DnaAutoencoder.Settings(
            o.integer("--hidden", a.hidden()),
            o.integer("--embedding", a.embedding()),
            o.integer("--epochs", a.epochs()),
            a.batch(),
            a.learningRate(),
            o.integer("--seed", (int) a.seed()));
    return new DnaTrainCommand(
        o.paths("--train"),
        o.paths("--validate"),
        output,
        new DnaTrainer.Config(o.integer("--stride", d.strideSamples()), settings));
  }

  static TrainCommand train(String[] args) {
    Options o =
        Options.parse(
            "train",
            args,
            Set.of(
                "--train",
                "--validate",
                "--output",
                "--horizons",
                "--thresholds",
                "--threads",
                "--rounds",
                "--eta",
                "--depth",
                "--name"),
            Set.of("--train", "--validate"));
    if (o.paths("--train").isEmpty() || o.paths("--validate").isEmpty()) {
      throw new IllegalArgumentException("train needs --train DIR... and --validate DIR...");
    }
    Path output = o.path("--output", null);
    if (output == null) {
      throw new IllegalArgumentException("train needs --output DIR (the model folder to write)");
    }
    TrainingConfig d = TrainingConfig.defaults();
    List<Integer> horizons =
        o.all().containsKey("--horizons") ? horizons(o.text("--horizons", "")) : d.horizons();
    List<Double> thresholds =
        o.all().containsKey("--thresholds")
            ? Arrays.stream(o.text("--thresholds", "").split(","))
                .map(v -> parseDouble("--thresholds", v))
                .toList()
            : d.thresholdsPct();
    TrainingConfig c =
        new TrainingConfig(
            o.text("--name", d.name()),
            horizons,
            thresholds,
            o.integer("--depth", d.maxDepth()),
            o.decimal("--eta", d.eta()),
            o.integer("--rounds", d.maxRounds()),
            d.earlyStoppingRounds(),
            o.integer("--threads", d.threads()),
            d.tuningFraction(),
            d.seed());
    return new TrainCommand(o.paths("--train"), o.paths("--validate"), output, c);
  }

  /**
   * Horizons like {@code 15m,30m,60m} (or {@code 1h}, or plain minutes) as sample counts.
   *
   * @throws IllegalArgumentException for a horizon that is not a multiple of 5 minutes up to 60
   */
  static List<Integer> horizons(String spec) {
    List<Integer> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      out.add(horizon(part.strip()));
    }
    return out;
  }

  /** One horizon like {@code 30m}, {@code 1h} or {@code 30} (minutes) as a sample count. */
  static int horizon(String v) {
    String s = v.toLowerCase(java.util.Locale.ROOT);
    int minutes;
    try {
      if (s.endsWith("h")) {
        minutes = 60 * Integer.parseInt(s.substring(0, s.length() - 1));
      } else {
        minutes = Integer.parseInt(s.endsWith("m") ? s.substring(0, s.length() - 1) : s);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "horizon '%s' is not a duration like 15m, 30m or 1h".formatted(v));
    }
    if (minutes < 5 || minutes > 60 || minutes % 5 != 0) {
      throw new IllegalArgumentException(
          "horizon '%s' must be a multiple of the 5-minute sample interval, 5 to 60 minutes"
              .formatted(v));
    }
    return minutes / 5;
  }

  private static double parseDouble(String opt, String v) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + opt + " needs numbers, got '" + v + "'");
    }
  }

  static ForecastBench benchForecast(String[] args) {
    Options o =
        Options.parse(
            "bench-forecast",
            args,
            Set.of("--traces", "--model", "--horizon", "--batch", "--rounds"));
    Path traces = o.path("--traces", null);
    if (traces == null) {
      throw new IllegalArgumentException("bench-forecast needs --traces DIR");
    }
    return new ForecastBench(
        traces,
        o.text("--model", "shipped"),
        horizon(o.text("--horizon", "30m")),
        o.integer("--batch", 4096),
        o.integer("--rounds", 3));
  }

  static DetectCommand detect(String[] args) {
    Options o =
        Options.parse(
            "detect",
            args,
            Set.of("--input", "--output", "--time-column", "--value-column", "--threshold"));
    Path input = o.path("--input", null);
    Path output = o.path("--output", null);
    if (input == null || output == null) {
      throw new IllegalArgumentException("detect needs --input FILE and --output FILE");
    }
    return new DetectCommand(
        input,
        output,
        o.text("--time-column", null),
        o.text("--value-column", null),
        io.vmdna.models.anomaly.AnomalyEnsemble.Config.defaults()
            .withThreshold(
                o.decimal(
                    "--threshold", io.vmdna.models.anomaly.AnomalyEnsemble.DEFAULT_THRESHOLD)));
  }

  static DetectEvalCommand detectEval(String[] args) {
    Options o =
        Options.parse(
            "detect-eval",
            args,
            Set.of("--traces", "--calibrate", "--threshold", "--seed", "--output"));
    Path traces = o.path("--traces", null);
    Path calibrate = o.path("--calibrate", null);
    if (traces == null || calibrate == null) {
      throw new IllegalArgumentException("detect-eval needs --traces DIR and --calibrate DIR");
    }
    return new DetectEvalCommand(
        traces,
        calibrate,
        o.decimal("--threshold", Double.NaN),
        o.integer("--seed", 1),
        o.path("--output", DemoSettings.defaults().workDir().resolveSibling("vmdna-detect-eval")));
  }

  static LibvirtMigrationBench benchMigrate(String[] args) {
    Options o =
        Options.parse(
            "bench-migrate", args, Set.of("--runs", "--guest-cache", "--max-downtime-ms"));
    return new LibvirtMigrationBench(
        o.integer("--runs", 10),
        o.path(
            "--guest-cache",
            DemoSettings.defaults().workDir().resolveSibling("vmdna-libvirt-guest")),
        o.integer("--max-downtime-ms", 0));
  }

  static ConvertBench benchConvert(String[] args) {
    Options o =
        Options.parse(
            "bench-convert", args, Set.of("--work", "--size-mib", "--data-mib", "--rounds"));
    return new ConvertBench(
        o.path("--work", DemoSettings.defaults().workDir().resolveSibling("vmdna-bench-convert")),
        o.integer("--size-mib", 2048),
        o.integer("--data-mib", 200),
        o.integer("--rounds", 3));
  }

  private static final double GIB_KB = 1 << 20;

  static ProfilerBench benchProfiler(String[] args) {
    Options o =
        Options.parse(
            "bench-profiler",
            args,
            Set.of(
                "--traces",
                "--vms",
                "--vms-per-host",
                "--steps",
                "--parallelism",
                "--forecast-model",
                "--anomaly",
                "--warmups"),
            Set.of("--traces"));
    List<Integer> sizes =
        Arrays.stream(o.text("--vms", "1000,5000,10000").split(","))
            .map(v -> (int) parseDouble("--vms", v.strip()))
            .toList();
    List<Path> traces = o.paths("--traces");
    return new ProfilerBench(
        traces.isEmpty() ? List.of(Path.of("data/bitbrains-demo")) : traces,
        sizes,
        o.integer("--vms-per-host", 20),
        o.integer("--steps", 288),
        o.integer("--parallelism", 2),
        o.text("--forecast-model", ProfilerConfig.SHIPPED),
        o.text("--anomaly", ProfilerConfig.CHART),
        o.integer("--warmups", 3));
  }

  static CollectCommand collect(String[] args) {
    Options o =
        Options.parse(
            "collect",
            args,
            Set.of(
                "--kafka-bootstrap",
                "--topic",
                "--kafka-properties",
                "--libvirt",
                "--traces",
                "--interval",
                "--steps-per-second",
                "--steps",
                "--work",
                "--cpu-speed-factors",
                "--flows-topic",
                "--vm-addresses",
                "--conntrack-command"));
    Map<String, String> kafka =
        o.all().containsKey("--kafka-properties")
            ? io.vmdna.flink.KafkaSamples.readClientProperties(
                "--kafka-properties", o.path("--kafka-properties", null))
            : Map.of();
    return new CollectCommand(
        o.text("--kafka-bootstrap", null),
        o.text("--topic", io.vmdna.flink.KafkaSamples.DEFAULT_TOPIC),
        kafka,
        o.all().containsKey("--libvirt")
            ? CollectCommand.parseHosts(o.text("--libvirt", ""))
            : Map.of(),
        o.path("--traces", null),
        o.duration("--interval", Duration.ofMinutes(5)),
        o.decimal("--steps-per-second", 4),
        (long) o.decimal("--steps", 0),
        o.path("--work", Path.of("target/vmdna-collect")),
        speedFactors("collect", o.text("--cpu-speed-factors", "")),
        conntrack(o),
        o.text("--flows-topic", null));
  }

  /** {@code --vm-addresses} and {@code --conntrack-command}: the flow collector, or null. */
  private static io.vmdna.hypervisor.libvirt.ConntrackCollector conntrack(Options o) {
    Path addresses = o.path("--vm-addresses", null);
    if (addresses == null) {
      if (o.all().containsKey("--conntrack-command")) {
        throw new IllegalArgumentException(
            "collect: --conntrack-command needs --vm-addresses FILE (vm,address lines)");
      }
      return null;
    }
    String command = o.text("--conntrack-command", "conntrack -L -o extended").strip();
    if (command.isEmpty()) {
      throw new IllegalArgumentException("collect: --conntrack-command is empty");
    }
    try {
      return new io.vmdna.hypervisor.libvirt.ConntrackCollector(
          List.of(command.split("\\s+")),
          io.vmdna.hypervisor.libvirt.ConntrackCollector.readAddresses(addresses),
          Duration.ofSeconds(30));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("collect: --vm-addresses: " + e.getMessage(), e);
    }
  }

  /** {@code --cpu-speed-factors}, an error naming the command and the option. */
  private static io.vmdna.hypervisor.api.CpuSpeedFactors speedFactors(String command, String text) {
    try {
      return io.vmdna.hypervisor.api.CpuSpeedFactors.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(command + ": --cpu-speed-factors: " + e.getMessage(), e);
    }
  }

  static SimulateCommand simulate(String[] args) {
    Options o =
        Options.parse(
            "simulate",
            args,
            Set.of(
                "--traces",
                "--policy",
                "--hosts",
                "--overcommit",
                "--seed",
                "--host-mhz",
                "--host-gib",
                "--fleet",
                "--decision",
                "--model",
                "--anomaly",
                "--output"));
    Path traces = o.path("--traces", null);
    if (traces == null) {
      throw new IllegalArgumentException("simulate needs --traces DIR");
    }
    List<io.vmdna.cli.simulate.Simulation.Policy> policies =
        Arrays.stream(o.text("--policy", "predictive,reactive,none").split(","))
            .map(io.vmdna.cli.simulate.Simulation.Policy::parse)
            .toList();
    io.vmdna.cli.simulate.FleetLayout.HostSize d =
        io.vmdna.cli.simulate.FleetLayout.HostSize.defaults();
    int hosts = o.integer("--hosts", 0);
    if (o.all().containsKey("--hosts") && hosts < 1) {
      throw new IllegalArgumentException("option --hosts must be >= 1, was " + hosts);
    }
    return new SimulateCommand(
        traces,
        policies,
        hosts,
        o.decimal("--overcommit", SimulateCommand.DEFAULT_OVERCOMMIT),
        (long) o.decimal("--seed", SimulateCommand.DEFAULT_SEED),
        new io.vmdna.cli.simulate.FleetLayout.HostSize(
            o.decimal("--host-mhz", d.cpuMhz()),
            o.decimal("--host-gib", d.memoryKb() / GIB_KB) * GIB_KB),
        o.path("--fleet", null),
        o.path("--decision", null),
        o.text("--model", "shipped"),
        o.text("--anomaly", ProfilerConfig.CHART),
        o.path("--output", DemoSettings.defaults().workDir().resolveSibling("vmdna-simulate")));
  }

  static MigrationBench bench(String[] args) {
    Options o =
        Options.parse(
            "bench",
            args,
            Set.of(
                "--migrations",
                "--hosts",
                "--work",
                "--gateway",
                "--rate",
                "--host-mhz",
                "--warmup"));
    String gateway = o.text("--gateway", null);
    return new MigrationBench(
        o.integer("--migrations", 200),
        o.integer("--hosts", 20),
        DemoSettings.defaults().dataDir(),
        o.path("--work", DemoSettings.defaults().workDir().resolveSibling("vmdna-bench")),
        gateway,
        o.decimal("--rate", 0),
        (long) o.decimal("--host-mhz", MigrationBench.UNBOUND_HOST_MHZ),
        // the in-process engine slows down as instances accumulate: no warm-up by default there
        o.integer("--warmup", gateway == null ? 0 : MigrationBench.DEFAULT_WARMUPS));
  }

  private static int demo(DemoSettings settings, PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    out.printf(
        "vmdna demo: starting PostgreSQL, %s and workers...%n",
        settings.gateway() == null
            ? "Zeebe engine (port " + settings.zeebePort() + ")"
            : "a client of the Zeebe gateway at " + settings.gateway());
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
      Map<MigrationStatus, Long> byStatus = new java.util.EnumMap<>(MigrationStatus.class);
      loop.records().forEach(r -> byStatus.merge(r.status(), 1L, Long::sum));
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
      Optional<EngineOutcomes> engine = loop.outcomes();
      if (engine.isPresent()) {
        EngineOutcomes o = engine.get();
        out.printf(
            "  process instances    %d started, %d completed, by end event %s%n",
            o.started(), o.completed(), o.endEvents());
      } else {
        out.printf(
            "  process instances    on the gateway %s: follow them in Operate%n",
            settings.gateway());
      }
      out.printf(
          "  migrations           %d started, %d completed, %d rolled back%n",
          loop.records().size(),
          byStatus.getOrDefault(MigrationStatus.MIGRATED, 0L),
          byStatus.getOrDefault(MigrationStatus.ROLLED_BACK, 0L));
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
      long embeddings =
          loop.fleet().vms().stream()
              .mapToLong(v -> loop.dnaHistory().history(v.vmId(), Integer.MAX_VALUE).size())
              .sum();
      out.printf(
          "  DNA history          %d embeddings of %d VMs in the store (one per VM every 3 hours)%n",
          embeddings, loop.fleet().vms().size());
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
