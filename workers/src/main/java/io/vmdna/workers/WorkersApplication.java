package io.vmdna.workers;

import io.vmdna.hypervisor.api.Hypervisor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Migration Coordinator's job workers: one {@code @JobWorker} class per job type of the process
 * contract, acting through the hypervisor API, with reservations and migration records in
 * PostgreSQL. Deploys the bundled BPMN and DMN at start-up ({@link ProcessDeployer}).
 */
@SpringBootApplication
public class WorkersApplication {

  /** Runs the workers against the Zeebe gateway and database in {@code application.yaml}. */
  public static void main(String[] args) {
    SpringApplication.run(WorkersApplication.class, args);
  }

  /**
   * Starts the workers in this JVM on a given hypervisor (the embedded default and tests), without
   * a web server.
   *
   * @param hypervisor the hypervisor the workers act on
   * @param jdbcUrl the store's PostgreSQL
   * @param user database user
   * @param password database password, or null to take it from the configuration (e.g. a config
   *     tree of mounted secrets)
   * @param grpcAddress the Zeebe gateway, e.g. {@code http://localhost:26500}
   * @return the running context; close it to stop the workers
   */
  public static ConfigurableApplicationContext startEmbedded(
      Hypervisor hypervisor, String jdbcUrl, String user, String password, String grpcAddress) {
    return startEmbedded(hypervisor, jdbcUrl, user, password, grpcAddress, Map.of(), false);
  }

  /**
   * As {@link #startEmbedded(Hypervisor, String, String, String, String)}, with extra properties
   * and optionally the web server (REST API, actuator) on {@code server.port}.
   */
  public static ConfigurableApplicationContext startEmbedded(
      Hypervisor hypervisor,
      String jdbcUrl,
      String user,
      String password,
      String grpcAddress,
      Map<String, String> extra,
      boolean web) {
    Map<String, String> props = new LinkedHashMap<>(extra);
    props.put("vmdna.store.jdbc-url", jdbcUrl);
    props.put("vmdna.store.user", user);
    if (password != null) {
      props.put("vmdna.store.password", password);
    }
    props.put("camunda.client.grpc-address", grpcAddress);
    props.put("camunda.client.prefer-rest-over-grpc", "false");
    props.put("spring.main.banner-mode", "off");
    return new SpringApplicationBuilder(WorkersApplication.class)
        .web(web ? WebApplicationType.SERVLET : WebApplicationType.NONE)
        .initializers(ctx -> ctx.getBeanFactory().registerSingleton("hypervisor", hypervisor))
        // as arguments, so they win over application.yaml
        .run(
            props.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new));
  }
}
