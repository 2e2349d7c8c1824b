package io.vmdna.workers;

import com.zaxxer.hikari.HikariDataSource;
import io.camunda.client.api.worker.BackoffSupplier;
import io.camunda.client.jobhandling.CamundaClientExecutorService;
import io.camunda.client.jobhandling.CommandExceptionHandlingStrategy;
import io.camunda.client.jobhandling.DefaultJobExceptionHandlingStrategy;
import io.camunda.client.jobhandling.JobExceptionHandlingStrategy;
import io.camunda.client.metrics.MetricsRecorder;
import io.vmdna.hypervisor.api.CpuSpeedFactors;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.libvirt.LibvirtHypervisor;
import io.vmdna.hypervisor.ovirt.OvirtHypervisor;
import io.vmdna.hypervisor.ovirt.OvirtSettings;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.placement.HostSelector;
import io.vmdna.store.Database;
import io.vmdna.store.DeploymentRepository;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.Rails;
import io.vmdna.store.ReservationRepository;
import io.vmdna.workers.api.BearerTokenFilter;
import io.vmdna.workers.api.WriteLimitsFilter;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the store, the hypervisor and placement for the workers. */
@Configuration
@EnableConfigurationProperties(VmdnaProperties.class)
public class WorkersConfiguration {

  /** The shared database, schema migrated at start-up. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(DataSource.class)
  public HikariDataSource vmdnaDataSource(VmdnaProperties props) {
    VmdnaProperties.Store s = props.store();
    if (s == null || s.jdbcUrl() == null) {
      throw new IllegalStateException(
          "vmdna.store.jdbc-url is not set: the workers need PostgreSQL");
    }
    HikariDataSource ds =
        Database.pooled(
            s.jdbcUrl(), s.user(), s.password(), s.maxPoolSize() == null ? 10 : s.maxPoolSize());
    Database.migrate(ds);
    return ds;
  }

  /** Filter order of the API's authentication; the write limits run right after it. */
  static final int API_AUTH_ORDER = 10;

  /** Bearer-token authentication of {@code /api/**}. */
  @Bean
  public FilterRegistrationBean<BearerTokenFilter> bearerTokenFilter(VmdnaProperties props) {
    VmdnaProperties.Api api = props.api();
    Map<String, String> tokens = api == null || api.tokens() == null ? Map.of() : api.tokens();
    boolean anonymousReads = api == null || api.anonymousReads() == null || api.anonymousReads();
    FilterRegistrationBean<BearerTokenFilter> reg =
        new FilterRegistrationBean<>(new BearerTokenFilter(tokens, anonymousReads));
    reg.addUrlPatterns("/api/*");
    reg.setOrder(API_AUTH_ORDER);
    return reg;
  }

  /** Body size limit and per-caller rate limit on starting migrations, after authentication. */
  @Bean
  public FilterRegistrationBean<WriteLimitsFilter> writeLimitsFilter(VmdnaProperties props) {
    VmdnaProperties.Api api = props.api();
    int perMinute =
        api == null || api.migrationsPerMinute() == null ? 60 : api.migrationsPerMinute();
    int maxBody = api == null || api.maxBodyBytes() == null ? 16_384 : api.maxBodyBytes();
    FilterRegistrationBean<WriteLimitsFilter> reg =
        new FilterRegistrationBean<>(
            new WriteLimitsFilter(perMinute, maxBody, java.time.Clock.systemUTC()));
    reg.addUrlPatterns("/api/*");
    reg.setOrder(API_AUTH_ORDER + 1); // after authentication: limits are per caller
    return reg;
  }

  @Bean
  public ReservationRepository reservationRepository(DataSource ds) {
    return new ReservationRepository(ds);
  }

  @Bean
  public DeploymentRepository deploymentRepository(DataSource ds) {
    return new DeploymentRepository(ds);
  }

  @Bean
  public MigrationRepository migrationRepository(DataSource ds) {
    return new MigrationRepository(ds);
  }

  /**
   * Commands the gateway refuses for now (complete, fail, throw error) are sent again with a
   * backoff, up to {@code max-retries}, which the client's own strategy never did ({@link
   * RetryingCommandStrategy}); replaces the starter's strategy.
   */
  @Bean
  public CommandExceptionHandlingStrategy retryingCommandExceptionHandlingStrategy(
      CamundaClientExecutorService executor) {
    return new RetryingCommandStrategy(BackoffSupplier.newBackoffBuilder().build(), executor.get());
  }

  /**
   * Technical failures fail the job with a backoff and an actionable message ({@link
   * TechnicalFailureStrategy}); replaces the starter's default strategy.
   */
  @Bean
  public JobExceptionHandlingStrategy jobExceptionHandlingStrategy(
      CommandExceptionHandlingStrategy commands, MetricsRecorder metrics, VmdnaProperties props) {
    return new TechnicalFailureStrategy(
        new DefaultJobExceptionHandlingStrategy(commands, metrics), props.retryBackoff());
  }

  /**
   * The starter's parameter binding, with every {@code @Variable} parameter that cannot be bound
   * (missing when mandatory, or of another type) failing with an {@link
   * io.vmdna.workers.jobs.InvalidVariableException} that names the variable: the client's own
   * message names only the JSON value and the Java type. Binding happens before the job's exception
   * strategy applies, so the client fails such a job itself (its retries, no backoff); the
   * incident's message names the variable. Replaces the starter's strategy.
   */
  @Bean
  public io.camunda.client.jobhandling.parameter.ParameterResolverStrategy
      parameterResolverStrategy(
          io.camunda.client.api.JsonMapper json, io.camunda.client.CamundaClient client) {
    var standard =
        new io.camunda.client.jobhandling.parameter.DefaultParameterResolverStrategy(json, client);
    return info -> {
      io.camunda.client.jobhandling.parameter.ParameterResolver resolver =
          standard.createResolver(info);
      io.camunda.client.annotation.Variable variable =
          info.getParameter().getAnnotation(io.camunda.client.annotation.Variable.class);
      if (variable == null) {
        return resolver;
      }
      String name =
          !variable.name().isEmpty()
              ? variable.name()
              : !variable.value().isEmpty() ? variable.value() : info.getParameterName();
      String type = info.getParameter().getType().getSimpleName();
      return (jobClient, job) -> {
        try {
          return resolver.resolve(jobClient, job);
        } catch (RuntimeException e) {
          throw new io.vmdna.workers.jobs.InvalidVariableException(
              name, "cannot be read as " + type + ": " + e.getMessage());
        }
      };
    };
  }

  @Bean
  public Rails rails(VmdnaProperties props) {
    return props.effectiveRails();
  }

  @Bean
  public HostSelector hostSelector(VmdnaProperties props, ReservationRepository reservations) {
    return HostSelector.from(props.placementConfig(), reservations);
  }

  /**
   * The hypervisor, unless the application provides one (the demo registers its own fleet): the
   * libvirt module when {@code vmdna.libvirt.hosts} is set, the oVirt module when {@code
   * vmdna.ovirt.url} is set, else the {@code sim} hypervisor from {@code vmdna.sim.*}. Both libvirt
   * and oVirt configured is refused: one workers deployment drives one kind of fleet.
   */
  @Bean
  @ConditionalOnMissingBean(Hypervisor.class)
  public Hypervisor hypervisor(VmdnaProperties props) {
    CpuSpeedFactors factors;
    try {
      factors =
          new CpuSpeedFactors(
              props.cpuSpeedFactors() == null ? java.util.Map.of() : props.cpuSpeedFactors());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("vmdna.cpu-speed-factors: " + e.getMessage(), e);
    }
    return factors.applyTo(unscaledHypervisor(props));
  }

  private Hypervisor unscaledHypervisor(VmdnaProperties props) {
    VmdnaProperties.Libvirt lv = props.libvirt();
    boolean hasLibvirt = lv != null && lv.hosts() != null && !lv.hosts().isEmpty();
    VmdnaProperties.Ovirt ov = props.ovirt();
    boolean hasOvirt = ov != null && ov.url() != null && !ov.url().isBlank();
    if (hasLibvirt && hasOvirt) {
      throw new IllegalStateException(
          "vmdna.libvirt.hosts and vmdna.ovirt.url are both set: configure one hypervisor per"
              + " workers deployment");
    }
    if (hasLibvirt) {
      return libvirt(lv);
    }
    if (hasOvirt) {
      return ovirt(ov);
    }
    VmdnaProperties.Sim sim = props.sim();
    if (sim == null || sim.traceDir() == null) {
      throw new IllegalStateException(
          "no hypervisor: set vmdna.libvirt.hosts, vmdna.ovirt.url, or vmdna.sim.trace-dir (a"
              + " folder with fleet.csv and traces)");
    }
    Path traces = Path.of(sim.traceDir());
    Path images = Path.of(sim.imageDir() == null ? "target/sim-images" : sim.imageDir());
    return SimFleet.load(
        traces, FleetSpec.read(traces.resolve("fleet.csv")), images, QemuImg.onPath());
  }

  /** The oVirt module; errors name the property that is wrong or missing. */
  static OvirtHypervisor ovirt(VmdnaProperties.Ovirt ov) {
    for (String[] required :
        new String[][] {
          {"user", ov.user()}, {"password", ov.password()}, {"ca-file", ov.caFile()}
        }) {
      if (required[1] == null || required[1].isBlank()) {
        throw new IllegalStateException(
            "vmdna.ovirt." + required[0] + " is required with vmdna.ovirt.url");
      }
    }
    OvirtSettings s;
    try {
      s = OvirtSettings.of(ov.url(), ov.user(), ov.password(), Path.of(ov.caFile()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("vmdna.ovirt: " + e.getMessage(), e);
    } catch (io.vmdna.hypervisor.api.HypervisorException e) {
      throw new IllegalStateException("vmdna.ovirt.ca-file: " + e.getMessage(), e);
    }
    s =
        s.withTimeouts(
            ov.callTimeout() == null ? s.callTimeout() : ov.callTimeout(),
            ov.migrationTimeout() == null ? s.migrationTimeout() : ov.migrationTimeout(),
            s.pollInterval());
    return new OvirtHypervisor(s);
  }

  /** The libvirt module over the configured hosts; errors name the property that is wrong. */
  static LibvirtHypervisor libvirt(VmdnaProperties.Libvirt lv) {
    java.util.List<LibvirtHypervisor.Host> hosts = new java.util.ArrayList<>();
    for (int i = 0; i < lv.hosts().size(); i++) {
      VmdnaProperties.LibvirtHost h = lv.hosts().get(i);
      String at = "vmdna.libvirt.hosts[" + i + "]";
      if (h.id() == null || h.id().isBlank() || h.uri() == null || h.uri().isBlank()) {
        throw new IllegalStateException(at + " needs an id and a uri");
      }
      java.util.Set<ImageFormat> formats = new java.util.LinkedHashSet<>();
      for (String f : h.formats() == null ? java.util.List.of("qcow2") : h.formats()) {
        try {
          formats.add(ImageFormat.fromName(f.strip()));
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(at + ".formats: " + e.getMessage(), e);
        }
      }
      if (formats.isEmpty()) {
        throw new IllegalStateException(at + ".formats: name at least one image format");
      }
      try {
        hosts.add(
            new LibvirtHypervisor.Host(
                h.id(), h.uri(), h.peerUri() == null ? h.uri() : h.peerUri(), formats));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(at + ".formats: " + e.getMessage(), e);
      }
    }
    return new LibvirtHypervisor(
        hosts,
        lv.callTimeout() == null ? java.time.Duration.ofSeconds(10) : lv.callTimeout(),
        lv.migrationTimeout() == null ? java.time.Duration.ofMinutes(30) : lv.migrationTimeout(),
        Path.of(lv.imageDir() == null ? "/var/lib/vmdna/images" : lv.imageDir()),
        QemuImg.onPath());
  }
}
