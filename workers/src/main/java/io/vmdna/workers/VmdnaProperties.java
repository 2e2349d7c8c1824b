package io.vmdna.workers;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code vmdna.*}.
 *
 * @param store the database
 * @param placement host selection
 * @param sim the simulated fleet, used when no other hypervisor bean is present
 * @param api the REST API's authentication
 */
@ConfigurationProperties("vmdna")
public record VmdnaProperties(Store store, Placement placement, Sim sim, Api api) {

  /**
   * @param tokens caller name → bearer token; writes need one of them
   * @param anonymousReads whether GET requests need no token (default true)
   */
  public record Api(java.util.Map<String, String> tokens, Boolean anonymousReads) {}

  /**
   * @param jdbcUrl JDBC URL of the PostgreSQL database
   * @param user database user
   * @param password database password
   * @param maxPoolSize connections at most
   */
  public record Store(String jdbcUrl, String user, String password, Integer maxPoolSize) {}

  /**
   * @param maxUtilization CPU fraction a target may reach with the VM, (0, 1]
   */
  public record Placement(Double maxUtilization) {}

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
