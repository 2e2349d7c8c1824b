package io.vmdna.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The images cannot be built here (no registry, no container engine), so this checks the Jib
 * configuration of the release profile against what the charts expect: image names, entry points,
 * non-root users, ports, the Flink job's jar path and entry class, the model's path, and that every
 * base image is pinned by digest (or the release build refuses it).
 */
class ImageConfigTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern DIGEST = Pattern.compile(".+@sha256:[0-9a-f]{64}");
  private static final XPath X = XPathFactory.newInstance().newXPath();

  private final Map<String, String> props = parentProperties();

  @Test
  void workersImageShouldMatchTheWorkersChart() throws Exception {
    Jib jib = jib("workers");
    JsonNode deployment = Charts.render(Path.of("vmdna-workers"), null).kind("Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");

    assertThat(jib.get("from/image")).isEqualTo(resolve("${image.base}", props));
    assertSameImage(image(deployment), jib.get("to/image"));
    assertThat(jib.get("container/mainClass"))
        .isEqualTo(io.vmdna.workers.WorkersApplication.class.getName());
    assertThat(io.vmdna.workers.WorkersApplication.class.getMethod("main", String[].class))
        .isNotNull();
    assertThat(jib.all("container/ports/port"))
        .containsExactly(pod.at("/containers/0/ports/0/containerPort").asText());
    assertThat(uid(jib.get("container/user")))
        .isNotZero()
        .isEqualTo(pod.at("/securityContext/runAsUser").asInt());
  }

  @Test
  void cliImageShouldRunTheCollectorChartsCommand() throws Exception {
    Jib jib = jib("cli");
    JsonNode deployment = Charts.render(Path.of("vmdna-collector"), null).kind("Deployment");

    assertThat(jib.get("from/image")).isEqualTo(resolve("${image.base}", props));
    assertSameImage(image(deployment), jib.get("to/image"));
    String main = jib.get("container/mainClass");
    Path source = ROOT.resolve("cli/src/main/java/" + main.replace('.', '/') + ".java");
    assertThat(source).content().contains("public static void main(String[] args)");
    assertThat(Files.readString(source)).contains("case \"collect\" ->");
    assertThat(deployment.at("/spec/template/spec/containers/0/args/0").asText())
        .isEqualTo("collect");
    assertThat(uid(jib.get("container/user")))
        .isNotZero()
        .isEqualTo(deployment.at("/spec/template/spec/securityContext/runAsUser").asInt());
  }

  @Test
  void flinkImageShouldHoldTheJarAndModelTheFlinkDeploymentNames() throws Exception {
    Jib jib = jib("flink-jobs");
    JsonNode fd = Charts.render(Path.of("vmdna-flink"), null).kind("FlinkDeployment");
    String finalName = xpath(pom("flink-jobs"), "//profile[id='release']/build/finalName");

    assertThat(jib.get("from/image")).isEqualTo(resolve("${image.flink.base}", props));
    assertSameImage(fd.at("/spec/image").asText(), jib.get("to/image"));
    assertThat(jib.get("containerizingMode")).isEqualTo("packaged");
    assertThat(jib.get("container/entrypoint")).isEqualTo("INHERIT");
    // Jib's packaged mode puts the jar at <appRoot>/classpath/<finalName>.jar
    assertThat(fd.at("/spec/job/jarURI").asText())
        .isEqualTo("local://" + jib.get("container/appRoot") + "/classpath/" + finalName + ".jar");
    assertThat(jib.get("container/appRoot")).startsWith("/opt/flink/usrlib/");
    assertThat(uid(jib.get("container/user")))
        .isNotZero()
        .isEqualTo(fd.at("/spec/podTemplate/spec/securityContext/runAsUser").asInt());

    // the model folder baked into the image is the one the job is told to load
    String into = jib.get("extraDirectories/paths/path/into");
    Path from = ROOT.resolve("flink-jobs").resolve(jib.get("extraDirectories/paths/path/from"));
    assertThat(FlinkChartTest.options(fd.at("/spec/job/args")))
        .containsEntry("--forecast-model", into);
    assertThat(from.resolve("manifest.json")).isRegularFile();
  }

  @Test
  void baseImagesShouldBePinnedByDigestOrRefusedByTheReleaseBuild() throws Exception {
    Path dockerfile = ROOT.resolve("images/base/Dockerfile");
    String from =
        Files.readAllLines(dockerfile).stream()
            .filter(l -> l.startsWith("FROM "))
            .findFirst()
            .orElseThrow()
            .substring(5)
            .strip();
    assertThat(from).matches(DIGEST);
    assertThat(Files.readString(dockerfile)).contains("USER 10001:10001", "qemu-utils", "libvirt0");

    // the release profile refuses bases without a digest, and takes them with one
    Document parent = pom(".");
    String base =
        xpath(parent, "//profile[id='release']//requireProperty[property='image.base']/regex");
    String flink =
        xpath(
            parent, "//profile[id='release']//requireProperty[property='image.flink.base']/regex");
    String digest = "@sha256:" + "0123456789abcdef".repeat(4);
    assertThat(resolve("${image.base}", props)).doesNotMatch(base);
    assertThat("registry.example/vmdna/base" + digest).matches(base);
    assertThat(props.get("image.flink.base")).doesNotMatch(flink);
    assertThat(props.get("image.flink.base") + digest).matches(flink);
  }

  // ---- pom reading ----

  /** The release profile's Jib configuration of a module, properties resolved. */
  private Jib jib(String module) throws Exception {
    Document pom = pom(module);
    org.w3c.dom.Node conf =
        (org.w3c.dom.Node)
            X.evaluate(
                "//profile[id='release']//plugin[artifactId='jib-maven-plugin']/configuration",
                pom,
                XPathConstants.NODE);
    assertThat(conf).as(module + " has a Jib configuration in its release profile").isNotNull();
    return new Jib(conf, props);
  }

  private record Jib(org.w3c.dom.Node conf, Map<String, String> props) {
    String get(String path) throws Exception {
      String v = X.evaluate(path, conf).strip();
      assertThat(v).as(path).isNotEmpty();
      return resolve(v, props);
    }

    List<String> all(String path) throws Exception {
      NodeList nodes = (NodeList) X.evaluate(path, conf, XPathConstants.NODESET);
      List<String> out = new java.util.ArrayList<>();
      for (int i = 0; i < nodes.getLength(); i++) {
        out.add(resolve(nodes.item(i).getTextContent().strip(), props));
      }
      return out;
    }
  }

  private static Document pom(String module) throws Exception {
    var f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    return f.newDocumentBuilder().parse(ROOT.resolve(module).resolve("pom.xml").toFile());
  }

  private static String xpath(Document d, String path) throws Exception {
    return X.evaluate(path, d).strip();
  }

  private static Map<String, String> parentProperties() {
    try {
      Document parent = pom(".");
      Map<String, String> p = new HashMap<>();
      NodeList nodes =
          (NodeList) X.evaluate("/project/properties/*", parent, XPathConstants.NODESET);
      for (int i = 0; i < nodes.getLength(); i++) {
        p.put(nodes.item(i).getNodeName(), nodes.item(i).getTextContent().strip());
      }
      p.put("project.version", xpath(parent, "/project/version"));
      return p;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String resolve(String v, Map<String, String> props) {
    Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(v);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = props.get(m.group(1));
      assertThat(value).as("property " + m.group(1)).isNotNull();
      m.appendReplacement(out, Matcher.quoteReplacement(resolve(value, props)));
    }
    return m.appendTail(out).toString();
  }

  /**
   * The chart's image is the one Jib builds: same repository, and the chart's tag is the release of
   * this version (the project's version without -SNAPSHOT).
   */
  private static void assertSameImage(String chart, String jibTo) {
    int c = chart.lastIndexOf(':');
    int j = jibTo.lastIndexOf(':');
    assertThat(chart.substring(0, c)).isEqualTo(jibTo.substring(0, j));
    assertThat(chart.substring(c + 1)).isEqualTo(jibTo.substring(j + 1).replace("-SNAPSHOT", ""));
  }

  /** The image a chart's first container runs. */
  private static String image(JsonNode deployment) {
    return deployment.at("/spec/template/spec/containers/0/image").asText();
  }

  private static int uid(String user) {
    return Integer.parseInt(user.split(":")[0]);
  }
}
