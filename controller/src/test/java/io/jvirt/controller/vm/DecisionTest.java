package io.jvirt.controller.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.api.v1.VirtualMachineSpec;
import io.jvirt.controller.resource.StateChangeRequest;
import io.jvirt.controller.vm.Decision.Action;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecisionTest {
    private static List<StateChangeRequest> requests(String spec) {
        if (spec.isEmpty()) return List.of();
        return java.util.Arrays.stream(spec.split("\\+")).map(r -> {
            String[] p = r.split(":");
            return new StateChangeRequest(p[0], null, p.length > 1 ? p[1] : null);
        }).toList();
    }

    @ParameterizedTest(name = "{0} vmi={1} requests=[{2}] backoff={3} -> {4} consume={5}")
    @CsvSource(delimiter = '|', textBlock = """
            ALWAYS           | NONE        |                | false | CREATE_VMI   | false
            ALWAYS           | NONE        |                | true  | WAIT_BACKOFF | false
            ALWAYS           | ACTIVE      |                | false | NOTHING      | false
            ALWAYS           | TERMINATING |                | false | NOTHING      | false
            ALWAYS           | SUCCEEDED   |                | false | DELETE_VMI   | false
            ALWAYS           | FAILED      |                | false | DELETE_VMI   | false
            RERUN_ON_FAILURE | NONE        |                | false | CREATE_VMI   | false
            RERUN_ON_FAILURE | NONE        |                | true  | WAIT_BACKOFF | false
            RERUN_ON_FAILURE | FAILED      |                | false | DELETE_VMI   | false
            RERUN_ON_FAILURE | SUCCEEDED   |                | false | NOTHING      | false
            RERUN_ON_FAILURE | ACTIVE      |                | false | NOTHING      | false
            MANUAL           | NONE        |                | false | NOTHING      | false
            MANUAL           | SUCCEEDED   |                | false | NOTHING      | false
            MANUAL           | FAILED      |                | false | NOTHING      | false
            MANUAL           | NONE        | Start          | false | CREATE_VMI   | true
            MANUAL           | NONE        | Start          | true  | WAIT_BACKOFF | false
            MANUAL           | ACTIVE      | Start          | false | NOTHING      | true
            MANUAL           | SUCCEEDED   | Start          | false | DELETE_VMI   | false
            MANUAL           | TERMINATING | Start          | false | NOTHING      | false
            MANUAL           | ACTIVE      | Stop           | false | DELETE_VMI   | false
            MANUAL           | ACTIVE      | Stop:uid-1     | false | DELETE_VMI   | false
            MANUAL           | ACTIVE      | Stop:uid-old   | false | NOTHING      | true
            MANUAL           | TERMINATING | Stop           | false | NOTHING      | false
            MANUAL           | NONE        | Stop           | false | NOTHING      | true
            ALWAYS           | ACTIVE      | Stop:uid-1+Start | false | DELETE_VMI | false
            ALWAYS           | NONE        | Start          | false | CREATE_VMI   | true
            HALTED           | NONE        |                | false | NOTHING      | false
            HALTED           | ACTIVE      |                | false | DELETE_VMI   | false
            HALTED           | SUCCEEDED   |                | false | DELETE_VMI   | false
            HALTED           | TERMINATING |                | false | NOTHING      | false
            HALTED           | NONE        | Start          | false | NOTHING      | true
            ONCE             | NONE        |                | false | CREATE_VMI   | false
            ONCE             | NONE        |                | true  | CREATE_VMI   | false
            ONCE             | FAILED      |                | false | NOTHING      | false
            ONCE             | SUCCEEDED   |                | false | NOTHING      | false
            ONCE             | ACTIVE      |                | false | NOTHING      | false
            """)
    void decides(RunStrategy strategy, VmiState vmi, String requests, boolean backoff, Action action, boolean consume) {
        Decision d = Decision.decide(strategy, vmi, vmi == VmiState.NONE ? null : "uid-1", requests(requests == null ? "" : requests), backoff);
        assertEquals(new Decision(action, consume), d);
    }

    @ParameterizedTest(name = "runStrategy={0} running={1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            Always         | null  | ALWAYS
            RerunOnFailure | null  | RERUN_ON_FAILURE
            Manual         | null  | MANUAL
            Halted         | null  | HALTED
            Once           | null  | ONCE
            null           | true  | ALWAYS
            null           | false | HALTED
            null           | null  | HALTED
            """)
    void effectiveStrategyIncludesLegacyRunning(String runStrategy, Boolean running, RunStrategy expected) {
        assertEquals(expected, RunStrategy.of(new VirtualMachineSpec(runStrategy, running, null, null, null)));
    }
}
