package io.jvirt.controller.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.controller.vm.Decision.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrintableStatusTest {
    @ParameterizedTest(name = "deleting={0} vmi={1} phase={2} paused={3} unsched={4} prov={5} action={6} backoff={7} -> {8}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            true  | ACTIVE      | Running    | false | false | false | NOTHING      | false | Terminating
            true  | NONE        | null       | false | false | false | NOTHING      | false | Terminating
            false | NONE        | null       | false | false | false | NOTHING      | false | Stopped
            false | NONE        | null       | false | false | false | CREATE_VMI   | false | Starting
            false | NONE        | null       | false | false | false | WAIT_BACKOFF | true  | CrashLoopBackOff
            false | ACTIVE      | null       | false | false | false | NOTHING      | false | Starting
            false | ACTIVE      | Pending    | false | false | false | NOTHING      | false | Starting
            false | ACTIVE      | Scheduling | false | false | false | NOTHING      | false | Starting
            false | ACTIVE      | Scheduling | false | true  | false | NOTHING      | false | ErrorUnschedulable
            false | ACTIVE      | Pending    | false | false | true  | NOTHING      | false | Provisioning
            false | ACTIVE      | Scheduled  | false | false | false | NOTHING      | false | Starting
            false | ACTIVE      | Running    | false | false | false | NOTHING      | false | Running
            false | ACTIVE      | Running    | true  | false | false | NOTHING      | false | Paused
            false | ACTIVE      | Running    | false | false | false | DELETE_VMI   | false | Stopping
            false | TERMINATING | Running    | false | false | false | NOTHING      | false | Stopping
            false | TERMINATING | Failed     | false | false | false | NOTHING      | true  | CrashLoopBackOff
            false | SUCCEEDED   | Succeeded  | false | false | false | NOTHING      | false | Stopped
            false | FAILED      | Failed     | false | false | false | NOTHING      | false | Stopped
            false | FAILED      | Failed     | false | false | false | DELETE_VMI   | true  | CrashLoopBackOff
            false | ACTIVE      | Unknown    | false | false | false | NOTHING      | false | Unknown
            false | ACTIVE      | WaitingForSync | false | false | false | NOTHING  | false | Unknown
            """)
    void table(boolean deleting, VmiState vmi, String phase, boolean paused, boolean unschedulable, boolean provisioning,
               Action action, boolean backoff, String expected) {
        assertEquals(expected, PrintableStatus.of(new VmView(deleting, vmi, phase, paused, unschedulable, provisioning, action, backoff)));
    }
}
