package io.vmdna.bpmn;

import static org.assertj.core.api.Assertions.assertThat;

import io.camunda.zeebe.model.bpmn.Bpmn;
import io.camunda.zeebe.model.bpmn.BpmnModelInstance;
import io.camunda.zeebe.model.bpmn.instance.BoundaryEvent;
import io.camunda.zeebe.model.bpmn.instance.CompensateEventDefinition;
import io.camunda.zeebe.model.bpmn.instance.EndEvent;
import io.camunda.zeebe.model.bpmn.instance.Error;
import io.camunda.zeebe.model.bpmn.instance.Message;
import io.camunda.zeebe.model.bpmn.instance.ServiceTask;
import io.camunda.zeebe.model.bpmn.instance.bpmndi.BpmnShape;
import io.camunda.zeebe.model.bpmn.instance.zeebe.ZeebeExecutionListener;
import io.camunda.zeebe.model.bpmn.instance.zeebe.ZeebeExecutionListeners;
import io.camunda.zeebe.model.bpmn.instance.zeebe.ZeebeTaskDefinition;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.bpmn.ProcessContract.Errors;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The bundled BPMN uses the contract's names exactly, and draws every element. */
class ProcessModelTest {
  private static BpmnModelInstance model() {
    InputStream in =
        ProcessModelTest.class.getClassLoader().getResourceAsStream(ProcessContract.BPMN_RESOURCE);
    BpmnModelInstance m = Bpmn.readModelFromStream(in);
    Bpmn.validateModel(m);
    return m;
  }

  @Test
  void shouldUseEveryJobTypeOfTheContract() {
    List<String> types =
        model().getModelElementsByType(ZeebeTaskDefinition.class).stream()
            .map(ZeebeTaskDefinition::getType)
            .toList();
    assertThat(types).containsAll(JobTypes.ALL).containsOnlyElementsOf(JobTypes.ALL);
  }

  @Test
  void shouldHaveTheContractsEndEventsErrorsAndMessages() {
    BpmnModelInstance m = model();
    assertThat(m.getModelElementsByType(EndEvent.class).stream().map(EndEvent::getId))
        .containsExactlyInAnyOrder(
            EndEvents.MIGRATED,
            EndEvents.NOT_NEEDED,
            EndEvents.NO_SUITABLE_HOST,
            EndEvents.ROLLED_BACK,
            EndEvents.CANCELLED);
    assertThat(m.getModelElementsByType(Error.class).stream().map(Error::getErrorCode))
        .containsExactlyInAnyOrder(
            Errors.NO_SUITABLE_HOST,
            Errors.CAPACITY_GONE,
            Errors.CONVERSION_FAILED,
            Errors.MIGRATION_FAILED,
            Errors.VERIFICATION_FAILED);
    assertThat(m.getModelElementsByType(Message.class).stream().map(Message::getName))
        .containsExactlyInAnyOrder(
            ProcessContract.MESSAGE_FORECAST,
            ProcessContract.MESSAGE_REQUESTED,
            ProcessContract.MESSAGE_CANCEL);
    assertThat(m.getModelElementById(ProcessContract.PROCESS_ID).getAttributeValue("isExecutable"))
        .isEqualTo("true");
  }

  @Test
  void sideEffectsShouldHaveCompensationHandlers() {
    BpmnModelInstance m = model();
    Map<String, String> handlerOf =
        m.getModelElementsByType(BoundaryEvent.class).stream()
            .filter(b -> !b.getChildElementsByType(CompensateEventDefinition.class).isEmpty())
            .collect(Collectors.toMap(b -> b.getAttachedTo().getId(), b -> handlerType(m, b)));
    assertThat(handlerOf)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "ReserveCapacityTask", JobTypes.RELEASE_CAPACITY,
                "ConvertImageTask", JobTypes.DELETE_CONVERTED_IMAGE,
                "MigrateTask", JobTypes.MIGRATE_BACK));
  }

  private static String handlerType(BpmnModelInstance m, BoundaryEvent b) {
    Collection<io.camunda.zeebe.model.bpmn.instance.Association> as =
        m.getModelElementsByType(io.camunda.zeebe.model.bpmn.instance.Association.class);
    String target =
        as.stream()
            .filter(a -> a.getSource().getId().equals(b.getId()))
            .findFirst()
            .orElseThrow()
            .getTarget()
            .getId();
    ServiceTask handler = m.getModelElementById(target);
    assertThat(handler.isForCompensation()).isTrue();
    return handler.getSingleExtensionElement(ZeebeTaskDefinition.class).getType();
  }

  @Test
  void rollbackAndCancelEndsShouldRecordTheOutcome() {
    BpmnModelInstance m = model();
    for (String end : List.of(EndEvents.ROLLED_BACK, EndEvents.CANCELLED)) {
      EndEvent e = m.getModelElementById(end);
      assertThat(
              e
                  .getSingleExtensionElement(ZeebeExecutionListeners.class)
                  .getExecutionListeners()
                  .stream()
                  .map(ZeebeExecutionListener::getType))
          .containsExactly(JobTypes.RECORD_OUTCOME);
    }
  }

  /**
   * Zeebe 8.6's validator (the version Operate runs with) reads a node's outgoing flows from its
   * {@code <bpmn:outgoing>} references, not from the flows' {@code sourceRef}: a boundary event
   * without them is rejected at deployment. Camunda Modeler always writes them; so must we.
   */
  @Test
  void everyFlowNodeShouldListItsIncomingAndOutgoingFlows() {
    BpmnModelInstance m = model();
    for (io.camunda.zeebe.model.bpmn.instance.SequenceFlow f :
        m.getModelElementsByType(io.camunda.zeebe.model.bpmn.instance.SequenceFlow.class)) {
      assertThat(f.getSource().getOutgoing())
          .as("outgoing of " + f.getSource().getId())
          .contains(f);
      assertThat(f.getTarget().getIncoming())
          .as("incoming of " + f.getTarget().getId())
          .contains(f);
    }
  }

  @Test
  void everyFlowNodeShouldBeDrawn() {
    BpmnModelInstance m = model();
    List<String> drawn =
        m.getModelElementsByType(BpmnShape.class).stream()
            .map(s -> s.getBpmnElement().getId())
            .toList();
    assertThat(drawn)
        .containsAll(
            m.getModelElementsByType(io.camunda.zeebe.model.bpmn.instance.FlowNode.class).stream()
                .map(n -> n.getId())
                .toList());
  }
}
