package io.vmdna.cli;

import io.camunda.client.CamundaClient;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.value.BpmnElementType;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.store.EmbeddedDatabase;
import io.vmdna.workers.WorkersApplication;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./vmdna bench}: drives N migrations through the real process on the in-process engine,
 * with the real workers, PostgreSQL and qemu-img, on a simulated fleet large enough that caps and
 * cooldowns do not bind; reports completed migrations per second, the instance latency and the time
 * each job type adds (job created → completed, from the engine's records).
 *
 * @param migrations migrations to run (one per VM)
 * @param hosts simulated hosts
 * @param dataDir the traces the simulated VMs replay (the bundled extract)
 * @param workDir folder for the fleet file and disk images
 */
public record MigrationBench(int migrations, int hosts, Path dataDir, Path workDir) {

  /** Validates. */
  public MigrationBench {
    if (migrations < 1 || hosts < 2) {
      throw new IllegalArgumentException(
          "bench needs --migrations >= 1 and --hosts >= 2, were %d and %d"
              .formatted(migrations, hosts));
    }
  }

  /** Runs the benchmark and prints the report. */
  public void run(PrintStream out) throws Exception {
    Path fleetDir = writeFleet();
    long t0 = System.nanoTime();
    try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
      int port = freePort();
      ZeebeTestEngine engine = EngineFactory.create(port);
      engine.start();
      SimFleet fleet =
          SimFleet.load(
              fleetDir,
              FleetSpec.read(fleetDir.resolve("fleet.csv")),
              workDir.resolve("images"),
              QemuImg.onPath());
      for (int i = 0; i < 12; i++) {
        fleet.nextStep();
      }
      Map<String, String> props = new HashMap<>();
      props.put("vmdna.rails.vm-cooldown", "PT0S");
      props.put("vmdna.rails.max-per-source", "100000");
      props.put("vmdna.rails.max-per-target", "100000");
      props.put("vmdna.rails.max-total", "100000");
      String gateway = "http://localhost:" + port;
      ConfigurableApplicationContext workers =
          WorkersApplication.startEmbedded(
              fleet, db.jdbcUrl(), "postgres", "postgres", gateway, props, false);
      try (CamundaClient client =
          CamundaClient.newClientBuilder()
              .grpcAddress(URI.create(gateway))
              .preferRestOverGrpc(false)
              .build()) {
        waitForDeployment(engine);
        out.printf(
            "bench: %d migrations on %d hosts, ready in %.1f s%n", migrations, hosts, secs(t0));
        long start = System.nanoTime();
        for (int i = 0; i < migrations; i++) {
          String vm = "b" + i;
          String id = "bench-" + i;
          client
              .newPublishMessageCommand()
              .messageName(ProcessContract.MESSAGE_REQUESTED)
              .correlationKey(id)
              .messageId(id)
              .variables(
                  Map.of(
                      "migrationId",
                      id,
                      "vmId",
                      vm,
                      "hostId",
                      fleet.locate(vm).orElseThrow(),
                      "signalType",
                      "API",
                      "signalTime",
                      Instant.now().toString(),
                      "reason",
                      "bench"))
              .send()
              .join();
        }
        long done;
        do {
          Thread.sleep(200);
          done = completed(engine);
          if (secs(start) > 600) {
            throw new IllegalStateException(
                "bench: only " + done + " of " + migrations + " completed in 10 min");
          }
        } while (done < migrations);
        double elapsed = secs(start);
        report(out, engine, elapsed);
      } finally {
        workers.close();
        engine.stop();
      }
    }
  }

  private Path writeFleet() throws IOException {
    Path dir = workDir.resolve("fleet");
    Files.createDirectories(dir);
    List<String> traces =
        List.copyOf(FleetSpec.read(dataDir.resolve("fleet.csv")).placement().keySet());
    List<String> lines = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      lines.add("host,h%d,1000000,4294967296,%s".formatted(h, h % 2 == 0 ? "qcow2" : "raw"));
    }
    for (int i = 0; i < migrations; i++) {
      String trace = traces.get(i % traces.size());
      lines.add("vm,b%d,h%d,%s".formatted(i, i % hosts, trace));
      Path link = dir.resolve(trace + ".csv.gz");
      if (!Files.exists(link)) {
        Files.copy(dataDir.resolve(trace + ".csv.gz"), link);
      }
    }
    Files.write(dir.resolve("fleet.csv"), lines);
    return dir;
  }

  private static <T> T retrying(Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (ConcurrentModificationException e) {
        if (attempt == 50) {
          throw e;
        }
      }
    }
  }

  private static long completed(ZeebeTestEngine engine) {
    return retrying(
        () ->
            StreamSupport.stream(
                    RecordStream.of(engine.getRecordStreamSource())
                        .processInstanceRecords()
                        .spliterator(),
                    false)
                .filter(r -> r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED)
                .filter(r -> r.getValue().getBpmnElementType() == BpmnElementType.PROCESS)
                .count());
  }

  private void report(PrintStream out, ZeebeTestEngine engine, double elapsed) {
    RecordStream rs = RecordStream.of(engine.getRecordStreamSource());
    Map<Long, Long> created = new HashMap<>();
    Map<String, List<Long>> jobMs = new TreeMap<>();
    retrying(
        () -> {
          created.clear();
          jobMs.clear();
          for (Record<io.camunda.zeebe.protocol.record.value.JobRecordValue> r : rs.jobRecords()) {
            if (r.getIntent() == JobIntent.CREATED) {
              created.put(r.getKey(), r.getTimestamp());
            } else if (r.getIntent() == JobIntent.COMPLETED && created.containsKey(r.getKey())) {
              jobMs
                  .computeIfAbsent(r.getValue().getType(), k -> new ArrayList<>())
                  .add(r.getTimestamp() - created.get(r.getKey()));
            }
          }
          return null;
        });
    Map<Long, Long> started = new HashMap<>();
    List<Long> instanceMs = new ArrayList<>();
    retrying(
        () -> {
          started.clear();
          instanceMs.clear();
          for (var r : rs.processInstanceRecords()) {
            if (r.getValue().getBpmnElementType() != BpmnElementType.PROCESS) {
              continue;
            }
            if (r.getIntent() == ProcessInstanceIntent.ELEMENT_ACTIVATED) {
              started.put(r.getKey(), r.getTimestamp());
            } else if (r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED
                && started.containsKey(r.getKey())) {
              instanceMs.add(r.getTimestamp() - started.get(r.getKey()));
            }
          }
          return null;
        });
    out.printf(
        "bench: %d migrations completed in %.1f s = %.1f migrations/s (in-process test engine)%n",
        migrations, elapsed, migrations / elapsed);
    out.printf(
        "  instance latency ms: p50 %d, p95 %d, max %d%n",
        pct(instanceMs, 50), pct(instanceMs, 95), pct(instanceMs, 100));
    out.println("  job created -> completed, ms (includes waiting for a worker):");
    jobMs.forEach(
        (type, ms) ->
            out.printf(
                "    %-30s n %4d  p50 %5d  p95 %5d%n", type, ms.size(), pct(ms, 50), pct(ms, 95)));
  }

  private static long pct(List<Long> xs, int p) {
    if (xs.isEmpty()) {
      return 0;
    }
    List<Long> s = xs.stream().sorted().toList();
    return s.get(
        Math.min(
            s.size() - 1,
            (int) Math.ceil(p / 100.0 * s.size()) - 1 < 0
                ? 0
                : (int) Math.ceil(p / 100.0 * s.size()) - 1));
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void waitForDeployment(ZeebeTestEngine engine) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      boolean deployed =
          retrying(
              () ->
                  StreamSupport.stream(
                          RecordStream.of(engine.getRecordStreamSource())
                              .processRecords()
                              .spliterator(),
                          false)
                      .anyMatch(
                          r -> r.getValue().getBpmnProcessId().equals(ProcessContract.PROCESS_ID)));
      if (deployed) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the process was not deployed within 30 s");
  }
}
