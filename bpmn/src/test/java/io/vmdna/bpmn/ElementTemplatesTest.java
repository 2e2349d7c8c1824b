package io.vmdna.bpmn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Camunda Modeler element templates: one per job type, bound to the contract's names. */
class ElementTemplatesTest {
  private static JsonNode templates() throws IOException {
    try (InputStream in =
        ElementTemplatesTest.class
            .getClassLoader()
            .getResourceAsStream("element-templates/vmdna-job-workers.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everyJobTypeShouldHaveOneTemplateBindingIt() throws IOException {
    List<String> bound = new ArrayList<>();
    for (JsonNode t : templates()) {
      assertThat(t.path("appliesTo").toString()).contains("bpmn:Task");
      assertThat(t.at("/elementType/value").asText()).isEqualTo("bpmn:ServiceTask");
      assertThat(t.path("name").asText()).startsWith("vmdna: ");
      assertThat(t.path("description").asText()).isNotBlank();
      for (JsonNode p : t.path("properties")) {
        if (p.at("/binding/type").asText().equals("zeebe:taskDefinition")
            && p.at("/binding/property").asText().equals("type")) {
          assertThat(p.path("type").asText()).isEqualTo("Hidden");
          bound.add(p.path("value").asText());
          assertThat(t.path("id").asText()).isEqualTo("io." + p.path("value").asText());
        }
      }
    }
    assertThat(bound).containsExactlyInAnyOrderElementsOf(JobTypes.ALL);
  }
}
