package io.vmdna.workers;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code vmdna.*}.
 *
 * @param store the database
 * @param placement host selection
 * @param sim the simulated fleet, used when no other hypervisor bean is present and no libvirt
 *     hosts are configured
 * @param libvirt libvirt hosts: when set, the workers drive them through the libvirt module
 * @param ovirt an oVirt engine: when set (and no libvirt hosts), the workers drive it through the
 *     oVirt module
 * @param api the REST API's authentication
 * @param rails safety rails (cooldown, ping-pong, caps)
 * @param deploy process deployment at start-up
 * @param jobs job handling (retry backoff)
 * @param cpuSpeedFactors host id → how fast its CPU cores are against a reference core ({@link
 *     io.vmdna.hypervisor.api.CpuSpeedFactors}): every CPU figure the workers read from the
 *     hypervisor is then in reference MHz; hosts not listed count as 1.0
 */
@ConfigurationProperties("vmdna")
public record VmdnaProperties(
    Store store,
    Placement placement,
    Sim sim,
    Libvirt libvirt,
    Ovirt ovirt,
    Api api,
    Rails rails,
    Deploy deploy,
    Jobs jobs,
    java.util.Map<String, Double> cpuSpeedFactors) {

  /**
   * The libvirt hosts of the fleet.
   *
   * @param hosts every host
   * @param callTimeout the longest a short libvirt call may take (default 10 s)
   * @param migrationTimeout the longest a migration may take (default 30 min)
   * @param imageDir where converted images are written (default {@code /var/lib/vmdna/images})
   */
  public record Libvirt(
      java.util.List<LibvirtHost> hosts,
      java.time.Duration callTimeout,
      java.time.Duration migrationTimeout,
      String imageDir) {}

  /**
   * An oVirt engine. The password comes from the environment ({@code VMDNA_OVIRT_PASSWORD}, a
   * Secret in the chart), never from a file in the image.
   *
   * @param url the API, e.g. {@code https://engine.example.com/ovirt-engine/api}
   * @param user e.g. {@code vmdna@internal}
   * @param password the user's password
   * @param caFile the engine's CA certificate, PEM ({@code /etc/pki/ovirt-engine/ca.pem} on it)
   * @param callTimeout the longest one API call may take (default 30 s)
   * @param migrationTimeout the longest a migration may take (default 30 min)
   */
  public record Ovirt(
      String url,
      String user,
      String password,
      String caFile,
      java.time.Duration callTimeout,
      java.time.Duration migrationTimeout) {
    /** Hides the password. */
    @Override
    public String toString() {
      return "Ovirt[url=%s, user=%s, password=***, caFile=%s]".formatted(url, user, caFile);
    }
  }

  /**
   * One libvirt host.
   *
   * @param id its id in vmdna
   * @param uri how the workers reach its daemon, e.g. {@code qemu+tls://host-a/system}
   * @param peerUri how another daemon reaches it for a peer-to-peer migration (default: uri)
   * @param formats disk formats its VMs run from, preferred first, qemu names (default qcow2)
   */
  public record LibvirtHost(
      String id, String uri, String peerUri, java.util.List<String> formats) {}

  /**
   * @param retryBackoff wait before a job that failed for a technical reason is retried
   */
  public record Jobs(java.time.Duration retryBackoff) {}

  /** The retry backoff, 10 s when unset. */
  public java.time.Duration retryBackoff() {
    return jobs == null || jobs.retryBackoff() == null
        ? java.time.Duration.ofSeconds(10)
        : jobs.retryBackoff();
  }

  /**
   * @param mode when to deploy the bundled BPMN/DMN: if-absent (default), always, never
   */
  public record Deploy(ProcessDeployer.Mode mode) {}

  /** The deploy mode, {@code IF_ABSENT} when unset. */
  public ProcessDeployer.Mode deployMode() {
    return deploy == null || deploy.mode() == null ? ProcessDeployer.Mode.IF_ABSENT : deploy.mode();
  }

  /**
   * Safety rails; unset fields take {@link io.vmdna.store.Rails#defaults()}.
   *
   * @param vmCooldown no new migration of a VM this long after its last one
   * @param pingPongWindow no move back to a host the VM left within this window
   * @param maxPerSource migrations in flight from one host at most
   * @param maxPerTarget migrations in flight to one host at most
   * @param maxTotal migrations in flight in the cluster at most
   */
  public record Rails(
      java.time.Duration vmCooldown,
      java.time.Duration pingPongWindow,
      Integer maxPerSource,
      Integer maxPerTarget,
      Integer maxTotal) {}

  /** The rails in force: configured values over the defaults. */
  public io.vmdna.store.Rails effectiveRails() {
    io.vmdna.store.Rails d = io.vmdna.store.Rails.defaults();
    if (rails == null) {
      return d;
    }
    return new io.vmdna.store.Rails(
        rails.vmCooldown() == null ? d.vmCooldown() : rails.vmCooldown(),
        rails.pingPongWindow() == null ? d.pingPongWindow() : rails.pingPongWindow(),
        rails.maxPerSource() == null ? d.maxPerSource() : rails.maxPerSource(),
        rails.maxPerTarget() == null ? d.maxPerTarget() : rails.maxPerTarget(),
        rails.maxTotal() == null ? d.maxTotal() : rails.maxTotal());
  }

  /**
   * @param tokens caller name → bearer token; writes need one of them
   * @param anonymousReads whether GET requests need no token (default true)
   * @param migrationsPerMinute migrations one caller may start per minute (default 60)
   * @param maxBodyBytes the largest request body accepted, bytes (default 16384)
   */
  public record Api(
      java.util.Map<String, String> tokens,
      Boolean anonymousReads,
      Integer migrationsPerMinute,
      Integer maxBodyBytes) {}

  /**
   * @param jdbcUrl JDBC URL of the PostgreSQL database
   * @param user database user
   * @param password database password
   * @param maxPoolSize connections at most
   */
  public record Store(String jdbcUrl, String user, String password, Integer maxPoolSize) {}

  /**
   * @param maxUtilization CPU fraction a target may reach with the VM, (0, 1]
   * @param antiAffinity anti-affinity groups: name → VMs that must not share a host
   * @param affinity affinity groups: name → VMs that should share a host
   * @param topology host → {@code <zone>/<rack>}
   */
  public record Placement(
      Double maxUtilization,
      java.util.Map<String, java.util.Set<String>> antiAffinity,
      java.util.Map<String, java.util.Set<String>> affinity,
      java.util.Map<String, String> topology) {}

  /** The placement settings in force, over {@link io.vmdna.placement.PlacementConfig#defaults}. */
  public io.vmdna.placement.PlacementConfig placementConfig() {
    io.vmdna.placement.PlacementConfig d = io.vmdna.placement.PlacementConfig.defaults();
    return new io.vmdna.placement.PlacementConfig(
        maxUtilization(),
        effectiveRails().maxPerTarget(),
        placement == null || placement.antiAffinity() == null
            ? d.antiAffinity()
            : placement.antiAffinity(),
        placement == null || placement.affinity() == null ? d.affinity() : placement.affinity(),
        placement == null || placement.topology() == null ? d.topology() : placement.topology(),
        d.freeCpuWeight(),
        d.affinityWeight(),
        d.proximityWeight(),
        d.loadTrendWeight());
  }

  /**
   * @param traceDir folder with the traces and {@code fleet.csv}
   * @param imageDir folder for the simulated VMs' disk images
   */
  public record Sim(String traceDir, String imageDir) {}

  /** Placement's max utilization, 0.8 when unset. */
  public double maxUtilization() {
    return placement == null || placement.maxUtilization() == null
        ? 0.8
        : placement.maxUtilization();
  }
}
