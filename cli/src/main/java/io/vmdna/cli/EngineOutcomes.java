package io.vmdna.cli;

import io.camunda.zeebe.process.test.api.RecordStreamSource;
import io.camunda.zeebe.process.test.filters.ProcessInstanceRecordStreamFilter;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.value.BpmnElementType;
import io.camunda.zeebe.protocol.record.value.ProcessInstanceRecordValue;
import io.vmdna.bpmn.ProcessContract;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the engine's own records say about the process: instances started and the end event each
 * completed instance reached. Read from the in-process engine's record stream.
 */
public final class EngineOutcomes {
  private final RecordStreamSource source;

  /** Reads from the given engine's record stream. */
  public EngineOutcomes(RecordStreamSource source) {
    this.source = source;
  }

  /**
   * The process's instance records. The engine appends while we read; a read that meets an append
   * ({@link ConcurrentModificationException}) is repeated.
   */
  private List<Record<ProcessInstanceRecordValue>> records() {
    for (int attempt = 1; ; attempt++) {
      try {
        return new ProcessInstanceRecordStreamFilter(
                RecordStream.of(source).processInstanceRecords())
            .withBpmnProcessId(ProcessContract.PROCESS_ID).stream().toList();
      } catch (ConcurrentModificationException e) {
        if (attempt == 20) {
          throw e;
        }
      }
    }
  }

  /** Process instances activated. */
  public long started() {
    return records().stream()
        .filter(r -> r.getIntent() == ProcessInstanceIntent.ELEMENT_ACTIVATED)
        .filter(r -> r.getValue().getBpmnElementType() == BpmnElementType.PROCESS)
        .count();
  }

  /** Process instances completed. */
  public long completed() {
    return records().stream()
        .filter(r -> r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED)
        .filter(r -> r.getValue().getBpmnElementType() == BpmnElementType.PROCESS)
        .count();
  }

  /** Completed end events by element id (e.g. {@code MigratedEndEvent} → 2). */
  public Map<String, Long> endEvents() {
    Map<String, Long> out = new TreeMap<>();
    records().stream()
        .filter(r -> r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED)
        .filter(r -> r.getValue().getBpmnElementType() == BpmnElementType.END_EVENT)
        .forEach(r -> out.merge(r.getValue().getElementId(), 1L, Long::sum));
    return out;
  }

  /** Keys of the instances that completed in the given end event. */
  public List<Long> instancesEndingIn(String endEventId) {
    return records().stream()
        .filter(r -> r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED)
        .filter(r -> r.getValue().getElementId().equals(endEventId))
        .map(r -> r.getValue().getProcessInstanceKey())
        .toList();
  }
}
