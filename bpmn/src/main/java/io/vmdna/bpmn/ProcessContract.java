package io.vmdna.bpmn;

import java.time.Duration;
import java.util.List;

/**
 * The process contract of DESIGN.md as constants: one name each, used everywhere (Flink sink,
 * workers, tests). The BPMN and DMN files in {@code bpmn/} use the same strings.
 */
public final class ProcessContract {
  private ProcessContract() {}

  /** BPMN process id. */
  public static final String PROCESS_ID = "predictive-migration";

  /** Classpath locations of the bundled process and decision. */
  public static final String BPMN_RESOURCE = "bpmn/predictive-migration.bpmn";

  /** Classpath location of the bundled {@code migrationPolicy} decision. */
  public static final String DMN_RESOURCE = "bpmn/migration-policy.dmn";

  /** Both bundled resources, in deployment order. */
  public static final List<String> RESOURCES = List.of(DMN_RESOURCE, BPMN_RESOURCE);

  /** Message from the Flink job; correlation key = vm id, message id = migration id. */
  public static final String MESSAGE_FORECAST = "vm-resource-forecast";

  /** Message from the REST API; correlation key and migration id = request id. */
  public static final String MESSAGE_REQUESTED = "vm-migration-requested";

  /** Message that cancels a running migration; correlation key = migration id. */
  public static final String MESSAGE_CANCEL = "vm-migration-cancel";

  /**
   * Time to live of a forecast message: short, so stale signals never queue behind a running
   * migration. Idempotency rests on the store, not on this.
   */
  public static final Duration FORECAST_TTL = Duration.ofSeconds(30);

  /**
   * Time to live of a migration request (message {@link #MESSAGE_REQUESTED}): none. The request
   * starts its process at once (a message start event always correlates while the process is
   * deployed, and the workers deploy it before they serve the API) or, when an instance of the same
   * migration id is still running, is dropped (the store refuses a duplicate id anyway). A message
   * with a time to live stays in the engine's state, and in its message-id check, until it expires
   * (the engine looks for expired messages once a minute), which buys nothing here.
   */
  public static final Duration REQUEST_TTL = Duration.ZERO;

  /** DMN decision id. */
  public static final String DECISION_POLICY = "migrationPolicy";

  /** Builds the migration id of a Flink signal: vm id + window end (epoch seconds). */
  public static String migrationId(String vmId, long windowEndS) {
    return vmId + "@" + windowEndS;
  }

  /**
   * The window end (epoch seconds) of a migration id made by {@link #migrationId}.
   *
   * @throws IllegalArgumentException when the id is not of that form (e.g. an API request id)
   */
  public static long windowEndOf(String migrationId) {
    int at = migrationId.lastIndexOf('@');
    try {
      return Long.parseLong(migrationId.substring(at + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "'%s' is not a signal's migration id (<vmId>@<windowEnd>)".formatted(migrationId), e);
    }
  }

  /** Signal variable names. */
  public static final class Vars {
    private Vars() {}

    public static final String MIGRATION_ID = "migrationId";
    public static final String VM_ID = "vmId";
    public static final String HOST_ID = "hostId";
    public static final String SIGNAL_TYPE = "signalType";
    public static final String WINDOW_END = "windowEnd";
    public static final String FORECAST = "forecast";
    public static final String ANOMALY = "anomaly";
    public static final String DNA = "dna";
    public static final String REASON = "reason";

    /**
     * Result of the policy decision: {@code policy.decision}, {@code .priority}, {@code .reason}.
     */
    public static final String POLICY = "policy";

    /** Set by scan-hosts when another instance already owns the migration id. */
    public static final String DUPLICATE = "duplicate";

    /**
     * Set by scan-hosts: false when the process ends without acting (duplicate, declined by a
     * safety rail, or dry run).
     */
    public static final String PROCEED = "proceed";

    /** Scans made so far (the process scans again after {@code CAPACITY_GONE}, 3 at most). */
    public static final String SCAN_ATTEMPTS = "scanAttempts";

    /** Set by scan-hosts when a safety rail declined the migration: why. */
    public static final String DECLINED = "declined";

    public static final String TARGET_HOST_ID = "targetHostId";
    public static final String PLACEMENT = "placement";
    public static final String CPU_NEED_MHZ = "cpuNeedMhz";
    public static final String MEM_NEED_KB = "memNeedKb";
    public static final String SOURCE_IMAGE = "sourceImage";
    public static final String CONVERTED_IMAGE = "convertedImage";
    public static final String MIGRATION_RESULT = "migrationResult";
    public static final String VERIFIED = "verified";

    /**
     * Set by reconcile: {@code vmHostId}, {@code moveUnfinished} (the VM is on the target but
     * migrate never completed), {@code orphanImage} (a converted image no completed step owns).
     */
    public static final String RECONCILED = "reconciled";

    /** Why reconcile runs: {@code CANCELLED} on the cancel path, else the failure. */
    public static final String CAUSE = "cause";

    /** Wall-clock time the signal was sent (ISO-8601), for the policy's staleness rule. */
    public static final String SIGNAL_TIME = "signalTime";

    /** When true, scan-hosts decides and records but the process does not act. */
    public static final String DRY_RUN = "dryRun";

    /** Optional operator-chosen target host (API requests). */
    public static final String REQUESTED_TARGET = "requestedTargetHostId";

    /**
     * Hypervisor options of a requested migration (string to string): {@link #OPTION_STRATEGY}, and
     * state-transfer options the hypervisor module reads (e.g. {@code bandwidthMiBps}).
     */
    public static final String OPTIONS = "options";

    /** Key in {@link #OPTIONS}: {@code LIVE} (default) or {@code WARM}. */
    public static final String OPTION_STRATEGY = "strategy";
  }

  /** Values of {@code signalType}. */
  public static final class SignalTypes {
    private SignalTypes() {}

    public static final String FORECAST = "FORECAST";
    public static final String ANOMALY = "ANOMALY";
    public static final String API = "API";
  }

  /** Values of {@code policy.decision}. */
  public static final class Decisions {
    private Decisions() {}

    public static final String MIGRATE = "MIGRATE";
    public static final String NONE = "NONE";
  }

  /** Job types. */
  public static final class JobTypes {
    private JobTypes() {}

    public static final String SCAN_HOSTS = "vmdna.scan-hosts";
    public static final String RESERVE_CAPACITY = "vmdna.reserve-capacity";
    public static final String CONVERT_IMAGE = "vmdna.convert-image";
    public static final String MIGRATE = "vmdna.migrate";
    public static final String VERIFY_MIGRATION = "vmdna.verify-migration";
    public static final String RECORD_DNA = "vmdna.record-dna";
    public static final String RECONCILE = "vmdna.reconcile";
    public static final String RELEASE_CAPACITY = "vmdna.release-capacity";
    public static final String DELETE_CONVERTED_IMAGE = "vmdna.delete-converted-image";
    public static final String MIGRATE_BACK = "vmdna.migrate-back";

    /**
     * Execution listener on the rollback and cancel end events: records the final status. An
     * addition to DESIGN.md's list, which has no job that runs when compensation has finished.
     */
    public static final String RECORD_OUTCOME = "vmdna.record-outcome";

    /** Every job type of the process's tasks. */
    public static final List<String> ALL =
        List.of(
            SCAN_HOSTS,
            RESERVE_CAPACITY,
            CONVERT_IMAGE,
            MIGRATE,
            VERIFY_MIGRATION,
            RECORD_DNA,
            RECONCILE,
            RELEASE_CAPACITY,
            DELETE_CONVERTED_IMAGE,
            MIGRATE_BACK);
  }

  /** BPMN error codes. */
  public static final class Errors {
    private Errors() {}

    public static final String NO_SUITABLE_HOST = "NO_SUITABLE_HOST";
    public static final String CAPACITY_GONE = "CAPACITY_GONE";
    public static final String CONVERSION_FAILED = "CONVERSION_FAILED";
    public static final String MIGRATION_FAILED = "MIGRATION_FAILED";
    public static final String VERIFICATION_FAILED = "VERIFICATION_FAILED";
  }

  /** End event ids. */
  public static final class EndEvents {
    private EndEvents() {}

    public static final String MIGRATED = "MigratedEndEvent";
    public static final String NOT_NEEDED = "NotNeededEndEvent";
    public static final String NO_SUITABLE_HOST = "NoSuitableHostEndEvent";
    public static final String ROLLED_BACK = "RolledBackEndEvent";
    public static final String CANCELLED = "CancelledEndEvent";
  }
}
