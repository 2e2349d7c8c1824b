package io.vmdna.workers;

import io.camunda.client.CamundaClient;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.store.DeploymentRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Deploys the bundled {@code migrationPolicy} DMN and {@code predictive-migration} BPMN at
 * start-up, as {@code vmdna.deploy.mode} says:
 *
 * <ul>
 *   <li>{@code if-absent} (default): only resources never deployed before, so a version ops
 *       deployed from Camunda Modeler is not overwritten when the workers restart;
 *   <li>{@code always}: every start (Zeebe skips a resource whose content did not change);
 *   <li>{@code never}: ops deploy everything themselves.
 * </ul>
 *
 * Whether a resource was deployed is read from the store's deployment records, since the embedded
 * engine cannot list deployments. A redeployed DMN or BPMN takes effect for new instances at once:
 * Zeebe starts the latest version.
 */
@Component
public class ProcessDeployer implements ApplicationRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessDeployer.class);

  /** When to deploy the bundled resources. */
  public enum Mode {
    IF_ABSENT,
    ALWAYS,
    NEVER
  }

  private final CamundaClient camunda;
  private final DeploymentRepository deployments;
  private final Mode mode;

  public ProcessDeployer(
      CamundaClient camunda, DeploymentRepository deployments, VmdnaProperties props) {
    this.camunda = camunda;
    this.deployments = deployments;
    this.mode = props.deployMode();
  }

  @Override
  public void run(ApplicationArguments args) {
    for (String resource : ProcessContract.RESOURCES) {
      byte[] content = read(resource);
      String checksum = sha256(content);
      boolean deployedBefore = deployments.checksum(resource).isPresent();
      boolean deploy =
          switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case IF_ABSENT -> !deployedBefore;
          };
      if (!deploy) {
        LOG.info("not deploying {} (mode {}, deployed before: {})", resource, mode, deployedBefore);
        continue;
      }
      camunda
          .newDeployResourceCommand()
          .addResourceBytes(content, resource.substring(resource.lastIndexOf('/') + 1))
          .send()
          .join();
      deployments.record(resource, checksum);
      LOG.info("deployed {} ({})", resource, checksum.substring(0, 12));
    }
  }

  private static byte[] read(String resource) {
    try (InputStream in = ProcessDeployer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("bundled resource " + resource + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
