package io.vmdna.workers;

import io.camunda.client.annotation.Deployment;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Migration Coordinator's job workers: one {@code @JobWorker} class per job type of the
 * process contract, acting through the hypervisor API, with reservations and migration records in
 * PostgreSQL. Deploys the bundled BPMN and DMN at start-up.
 */
@SpringBootApplication
@Deployment(resources = {"classpath:bpmn/migration-policy.dmn", "classpath:bpmn/predictive-migration.bpmn"})
public class WorkersApplication {

  /** Runs the workers against the Zeebe gateway and database in {@code application.yaml}. */
  public static void main(String[] args) {
    SpringApplication.run(WorkersApplication.class, args);
  }
}
