package io.vmdna.cli;

import io.vmdna.cli.simulate.FleetLayout;
import io.vmdna.cli.simulate.PolicyDmn;
import io.vmdna.cli.simulate.Simulation;
import io.vmdna.cli.simulate.Simulation.Policy;
import io.vmdna.cli.simulate.VmReplay;
import io.vmdna.flink.ProfilerConfig;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./vmdna simulate}: the what-if simulator. Lays a fleet out from the traces ({@link
 * FleetLayout}), replays it under each policy asked for ({@link Simulation}) and writes, per
 * policy, {@code hosts.csv}, {@code placement.csv}, {@code decisions.csv}, {@code report.json} and
 * {@code timeline.png}; with several policies each goes to {@code DIR/<policy>/} and {@code DIR}
 * gets the side-by-side {@code report.json}, {@code table.md} and {@code timeline.png}. Every file
 * is written to a temporary name first and moved into place, so a failed run leaves no half file.
 * Files in the folder that are not Bitbrains traces are left out and named.
 *
 * @param traces folder of Bitbrains traces ({@code <vm>.csv} or {@code .csv.gz})
 * @param policies the policies to run, in order, no repeats
 * @param hosts number of hosts, 0 = as many as first fit needs
 * @param overcommit provisioned CPU per unit of host CPU
 * @param seed shuffles the VM order of the layout
 * @param host every simulated host's size
 * @param fleetFile an operator's own layout instead of the one built from the traces, or null
 * @param policyFile an edited {@code migrationPolicy} DMN file to try instead of the bundled one,
 *     or null
 * @param model the forecast model for the predictive policy ({@code shipped} or a folder)
 * @param anomaly the streaming job's anomaly detection, {@code chart} or {@code ensemble}
 * @param output the output folder
 */
record SimulateCommand(
    Path traces,
    List<Policy> policies,
    int hosts,
    double overcommit,
    long seed,
    FleetLayout.HostSize host,
    Path fleetFile,
    Path policyFile,
    String model,
    String anomaly,
    Path output) {

  /** Default overcommit: chosen on July (not on the August sample the README reports). */
  static final double DEFAULT_OVERCOMMIT = 2.5;

  /** Default seed of the VM order. */
  static final long DEFAULT_SEED = 1;

  /** Validates. */
  SimulateCommand {
    policies = List.copyOf(policies);
    ProfilerConfig.anomalyNamed(anomaly); // fails naming a bad value
    if (policies.isEmpty() || policies.stream().distinct().count() != policies.size()) {
      throw new IllegalArgumentException(
          "simulate: --policy needs one or more of predictive, reactive, none, each once; was "
              + policies);
    }
  }

  /** Runs the simulation and writes the outputs; returns the runs in policy order. */
  List<Simulation.Result> run(PrintStream out) throws IOException {
    long t0 = System.nanoTime();
    if (!Files.isDirectory(traces)) {
      throw new IllegalArgumentException("simulate: --traces " + traces + " is not a folder");
    }
    List<Path> files = BitbrainsTraceReader.listTraceFiles(traces);
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "simulate: no trace files (<vm>.csv or <vm>.csv.gz) in " + traces);
    }
    Simulation.Settings d = Simulation.Settings.defaults();
    Simulation.Settings settings =
        new Simulation.Settings(
            d.profiler().withAnomaly(ProfilerConfig.anomalyNamed(anomaly)),
            d.rails(),
            d.placement(),
            d.cost());
    ProgressBar bar = new ProgressBar(out);
    out.printf("vmdna simulate: reading %d traces from %s%n", files.size(), traces);
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    List<VmReplay> vms = new ArrayList<>();
    int skipped = 0;
    for (int i = 0; i < files.size(); i++) {
      try {
        VmTrace t = reader.read(files.get(i));
        skipped += t.skipped().size();
        if (t.samples().isEmpty()) {
          out.printf("  left out: %s has no valid sample%n", files.get(i));
        } else {
          vms.add(new VmReplay(t, settings.profiler()));
        }
      } catch (TraceFormatException e) {
        out.println("  left out: " + e.getMessage());
      }
      if ((i + 1) % 10 == 0 || i + 1 == files.size()) {
        bar.update(i + 1, files.size(), "traces read");
      }
    }
    vms.sort(Comparator.comparing(VmReplay::vmId, FleetLayout::natural));
    FleetSpec fleet = fleetFile == null ? layOut(vms, out, skipped) : readFleet(vms, out);
    if (policies.contains(Policy.PREDICTIVE)) {
      int horizon = settings.profiler().modelHorizonSamples();
      try (ForecastModel m = ForecastModel.open(model, 1)) {
        m.requireSupports(horizon, settings.profiler().forecaster().thresholdPct());
        for (int i = 0; i < vms.size(); i++) {
          vms.get(i).forecastWith(m, horizon);
          if ((i + 1) % 10 == 0 || i + 1 == vms.size()) {
            bar.update(i + 1, vms.size(), "VMs forecast (model " + model + ")");
          }
        }
      }
    }
    PolicyDmn dmn = policyFile == null ? PolicyDmn.bundled() : PolicyDmn.read(policyFile);
    Simulation sim = new Simulation(fleet, vms, settings, dmn);
    int steps = sim.steps();
    List<Simulation.Result> results = new ArrayList<>();
    Path root = output.toAbsolutePath();
    for (Policy p : policies) {
      Simulation.Result r =
          sim.run(p, done -> bar.update(done, steps, "steps replayed, policy " + p.id()));
      results.add(r);
      Path dir = policies.size() == 1 ? root : root.resolve(p.id());
      Files.createDirectories(dir);
      SimulationOutputs.write(dir, fleet, r, report(r, fleet, vms.size(), steps));
    }
    if (policies.size() > 1) {
      Map<String, Object> side = new LinkedHashMap<>();
      side.put("traces", traces.toString());
      side.put("vms", vms.size());
      side.put("hosts", fleet.hosts().size());
      side.put("overcommit", overcommit);
      side.put("seed", seed);
      side.put("steps", steps);
      Map<String, Object> byPolicy = new LinkedHashMap<>();
      results.forEach(r -> byPolicy.put(r.policy().id(), r.metrics()));
      side.put("policies", byPolicy);
      side.put("comparison", comparison(results));
      SimulationOutputs.writeJson(root.resolve("report.json"), side);
      SimulationOutputs.writeText(root.resolve("table.md"), table(results));
      SimulationOutputs.timeline(root.resolve("timeline.png"), results);
    }
    out.println();
    out.print(table(results));
    out.printf("vmdna simulate: wrote %s in %.1f s%n", root, (System.nanoTime() - t0) / 1e9);
    return results;
  }

  /** The fleet laid out from the traces alone ({@link FleetLayout}). */
  private FleetSpec layOut(List<VmReplay> vms, PrintStream out, int skipped) {
    FleetLayout layout =
        FleetLayout.build(
            vms.stream()
                .map(
                    v ->
                        new FleetLayout.VmSize(
                            v.vmId(), v.cpuProvisionedMhz(), v.memProvisionedKb()))
                .toList(),
            hosts,
            overcommit,
            seed,
            host);
    FleetSpec fleet = layout.spec();
    out.printf(
        "  fleet: %d VMs on %d hosts of %.0f MHz / %.0f GiB, overcommit %.2f, seed %d%s; %d bad lines skipped%n",
        vms.size(),
        fleet.hosts().size(),
        fleet.hosts().getFirst().cpuMhz(),
        fleet.hosts().getFirst().memoryKb() / (1 << 20),
        overcommit,
        seed,
        layout.overflowed() > 0
            ? ", %d VMs beyond the overcommit (no host fitted them)".formatted(layout.overflowed())
            : "",
        skipped);
    return fleet;
  }

  /**
   * An operator's own layout ({@code --fleet}, the {@link FleetSpec} file format): every VM it
   * places needs a trace named like it; traces it does not place are left out, named.
   */
  private FleetSpec readFleet(List<VmReplay> vms, PrintStream out) {
    FleetSpec spec = FleetSpec.read(fleetFile);
    java.util.Set<String> traced = new java.util.HashSet<>();
    vms.forEach(v -> traced.add(v.vmId()));
    for (String vm : spec.placement().keySet()) {
      if (!traced.contains(vm) || !spec.traceOf(vm).equals(vm)) {
        throw new IllegalArgumentException(
            "simulate: %s places VM %s, which has no trace %s.csv[.gz] in %s"
                .formatted(fleetFile, vm, vm, traces));
      }
    }
    vms.removeIf(
        v -> {
          boolean out_ = !spec.placement().containsKey(v.vmId());
          if (out_) {
            out.printf("  left out: VM %s is not in %s%n", v.vmId(), fleetFile);
          }
          return out_;
        });
    out.printf("  fleet: %d VMs on %d hosts from %s%n", vms.size(), spec.hosts().size(), fleetFile);
    return spec;
  }

  private Map<String, Object> report(Simulation.Result r, FleetSpec fleet, int vms, int steps) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy", r.policy().id());
    m.put("traces", traces.toString());
    m.put("vms", vms);
    m.put("hosts", fleet.hosts().size());
    m.put("overcommit", overcommit);
    m.put("seed", seed);
    m.put("model", r.policy() == Policy.PREDICTIVE ? model : null);
    m.put("policyDmn", policyFile == null ? "bundled" : policyFile.toString());
    m.put("fromS", r.startS());
    m.put("steps", steps);
    m.put("metrics", r.metrics());
    Map<String, Long> outcomes = new LinkedHashMap<>();
    r.decisions().forEach(d -> outcomes.merge(d.outcome(), 1L, Long::sum));
    m.put("decisions", outcomes);
    return m;
  }

  /** Reductions of VM-minutes on overloaded hosts, and the goals, when both runs exist. */
  static Map<String, Object> comparison(List<Simulation.Result> results) {
    Map<Policy, Simulation.Metrics> by = new LinkedHashMap<>();
    results.forEach(r -> by.put(r.policy(), r.metrics()));
    Map<String, Object> c = new LinkedHashMap<>();
    Simulation.Metrics pred = by.get(Policy.PREDICTIVE);
    Simulation.Metrics react = by.get(Policy.REACTIVE);
    Simulation.Metrics none = by.get(Policy.NONE);
    if (pred != null && none != null) {
      c.put("predictiveCutVsNone", cut(pred, none));
    }
    if (pred != null && react != null) {
      c.put("predictiveCutVsReactive", cut(pred, react));
      c.put("predictiveMigrationsVsReactive", pred.migrations() - react.migrations());
    }
    if (react != null && none != null) {
      c.put("reactiveCutVsNone", cut(react, none));
    }
    if (pred != null && react != null && none != null) {
      Map<String, Boolean> goals = new LinkedHashMap<>();
      goals.put("halfVsNone", cut(pred, none) >= 0.5);
      goals.put("quarterVsReactive", cut(pred, react) >= 0.25);
      goals.put("noMoreMigrationsThanReactive", pred.migrations() <= react.migrations());
      goals.put("noPingPongs", pred.pingPongs() == 0);
      c.put("goals", goals);
    }
    return c;
  }

  /** Share of {@code base}'s VM-minutes on overloaded hosts that {@code m} avoids. */
  private static double cut(Simulation.Metrics m, Simulation.Metrics base) {
    long b = base.vmMinutesOnOverloadedHosts();
    return b == 0 ? 0 : 1 - (double) m.vmMinutesOnOverloadedHosts() / b;
  }

  /** The side-by-side table (Markdown), as the README shows it. */
  static String table(List<Simulation.Result> results) {
    StringBuilder t = new StringBuilder();
    t.append(
        "| policy | host-overload min | VM-min on overloaded hosts | migrations | per VM-day | ping-pongs | refused |\n");
    t.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Simulation.Result r : results) {
      Simulation.Metrics m = r.metrics();
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %d | %.3f | %d | %d |%n",
              r.policy().id(),
              m.hostOverloadMinutes(),
              m.vmMinutesOnOverloadedHosts(),
              m.migrations(),
              m.migrationsPerVmDay(),
              m.pingPongs(),
              m.refused()));
    }
    return t.toString();
  }
}
