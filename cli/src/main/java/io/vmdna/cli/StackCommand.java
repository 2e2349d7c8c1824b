package io.vmdna.cli;

import io.vmdna.stack.ArtifactFetcher;
import io.vmdna.stack.CamundaStack;
import io.vmdna.stack.StackSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code ./vmdna stack up|down|status}: the real Camunda 8.6 distribution (broker, gateway,
 * Operate) on a local OpenSearch, run on this machine without Docker (see {@link CamundaStack}).
 *
 * <p>{@code up} remembers its ports in the home folder; {@code status} and {@code down} use them.
 * Exit codes: 0 done (for status: both healthy), 3 for a status that is not healthy.
 *
 * @param action up, down or status
 * @param settings home and ports ({@code up} uses the ports given; the others the saved ones)
 * @param timeout how long {@code up} waits for health
 */
record StackCommand(String action, StackSettings settings, Duration timeout) {
  /** Exit code of a status that is not healthy (as a service manager's "not running"). */
  static final int NOT_HEALTHY = 3;

  /** Runs the action; returns the exit code. */
  int run(PrintStream out) throws IOException {
    CamundaStack stack =
        new CamundaStack(
            settings, ArtifactFetcher.defaults(), line -> out.println("stack: " + line));
    switch (action) {
      case "up" -> {
        CamundaStack.Status status = stack.up(timeout);
        out.print(status.describe());
        out.println(
            "run the workers against it: ./vmdna demo --gateway "
                + settings.gatewayAddress()
                + "  (or camunda.client.grpc-address="
                + settings.gatewayAddress()
                + ")");
        return 0;
      }
      case "down" -> {
        stack.down();
        out.println("stack: stopped; data kept in " + settings.home().resolve("data"));
        return 0;
      }
      case "status" -> {
        CamundaStack.Status status = stack.status();
        out.print(status.describe());
        return status.healthy() ? 0 : NOT_HEALTHY;
      }
      default -> throw new IllegalArgumentException("unknown stack action " + action);
    }
  }

  /**
   * Builds the command from {@code stack <action> [--home DIR] [--gateway-port N] ...}.
   *
   * @throws IllegalArgumentException naming the action or option that is wrong
   */
  static StackCommand parse(String[] args) throws IOException {
    if (args.length < 2 || !java.util.Set.of("up", "down", "status").contains(args[1])) {
      throw new IllegalArgumentException(
          "stack needs an action: up, down or status"
              + (args.length < 2 ? "" : " (got '" + args[1] + "')"));
    }
    String action = args[1];
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    Vmdna.Options o =
        Vmdna.Options.parse(
            "stack " + action,
            rest,
            action.equals("up")
                ? java.util.Set.of(
                    "--home",
                    "--gateway-port",
                    "--operate-port",
                    "--management-port",
                    "--opensearch-port",
                    "--timeout")
                : java.util.Set.of("--home"));
    Path home = o.path("--home", StackSettings.defaultHome());
    if (!action.equals("up")) {
      return new StackCommand(action, StackSettings.load(home), Duration.ZERO);
    }
    StackSettings d = StackSettings.load(home);
    int gateway = o.integer("--gateway-port", d.gatewayPort());
    int opensearch = o.integer("--opensearch-port", d.openSearchPort());
    boolean gatewayGiven = o.values().containsKey("--gateway-port");
    boolean openSearchGiven = o.values().containsKey("--opensearch-port");
    StackSettings settings =
        new StackSettings(
            home,
            gateway,
            o.integer("--operate-port", d.webPort()),
            o.integer("--management-port", d.managementPort()),
            gatewayGiven ? gateway + 1 : d.commandPort(),
            gatewayGiven ? gateway + 2 : d.internalPort(),
            opensearch,
            openSearchGiven ? opensearch + 100 : d.openSearchTransportPort(),
            d.camundaHeapMib(),
            d.openSearchHeapMib());
    return new StackCommand(action, settings, o.duration("--timeout", Duration.ofMinutes(5)));
  }
}
