package io.vmdna.cli.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.zeebe.dmn.DecisionEngine;
import io.camunda.zeebe.dmn.DecisionEngineFactory;
import io.camunda.zeebe.dmn.DecisionEvaluationResult;
import io.camunda.zeebe.dmn.ParsedDecisionRequirementsGraph;
import io.camunda.zeebe.dmn.impl.VariablesContext;
import io.camunda.zeebe.protocol.impl.encoding.MsgPackConverter;
import io.vmdna.bpmn.ProcessContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code migrationPolicy} decision evaluated by Camunda's DMN engine, the one Zeebe runs for
 * the process's business rule task ({@code zeebe-dmn}, FEEL and DMN-Scala), so the simulator
 * decides exactly as the deployed table would. Not thread-safe (one per simulation run).
 */
public final class PolicyDmn {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DecisionEngine engine = DecisionEngineFactory.createDecisionEngine();
  private final ParsedDecisionRequirementsGraph drg;
  private final String source;

  /**
   * The policy's outputs.
   *
   * @param decision {@code MIGRATE} or {@code NONE}
   * @param priority 0 to 100
   * @param reason the rule's human reason
   */
  public record Outcome(String decision, int priority, String reason) {
    public boolean migrate() {
      return ProcessContract.Decisions.MIGRATE.equals(decision);
    }
  }

  private PolicyDmn(InputStream dmn, String source) {
    this.source = source;
    this.drg = engine.parse(dmn);
    if (!drg.isValid()) {
      throw new IllegalArgumentException(
          "policy: %s is not a valid DMN file: %s".formatted(source, drg.getFailureMessage()));
    }
  }

  /** The decision bundled with the process ({@link ProcessContract#DMN_RESOURCE}). */
  public static PolicyDmn bundled() {
    try (InputStream in =
        PolicyDmn.class.getClassLoader().getResourceAsStream(ProcessContract.DMN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "policy: " + ProcessContract.DMN_RESOURCE + " is not on the classpath");
      }
      return new PolicyDmn(in, "bundled " + ProcessContract.DMN_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An ops-edited decision file (a copy of the bundled one, changed in Camunda Modeler). */
  public static PolicyDmn read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return new PolicyDmn(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("policy: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Evaluates {@code migrationPolicy} on the signal's variables (the process contract's names).
   *
   * @throws IllegalStateException when the table fails to evaluate or lacks an output
   */
  public Outcome evaluate(Map<String, Object> variables) {
    DecisionEvaluationResult r =
        engine.evaluateDecisionById(
            drg, ProcessContract.DECISION_POLICY, new VariablesContext(variables));
    if (r.isFailure()) {
      throw new IllegalStateException(
          "policy: %s failed on %s: %s".formatted(source, variables, r.getFailureMessage()));
    }
    Map<?, ?> out;
    try {
      out = JSON.readValue(MsgPackConverter.convertToJson(r.getOutput()), Map.class);
    } catch (IOException e) {
      throw new IllegalStateException("policy: unreadable result from " + source, e);
    }
    Object decision = out.get("decision");
    Object priority = out.get("priority");
    if (!(decision instanceof String d) || !(priority instanceof Number p)) {
      throw new IllegalStateException(
          "policy: %s must output decision (string) and priority (number), gave %s"
              .formatted(source, out));
    }
    return new Outcome(d, p.intValue(), String.valueOf(out.get("reason")));
  }
}
