package io.jvirt.controller.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.controller.vm.Decision.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrintableStatusTest {
    @ParameterizedTest(name = "deleting={0} vmi={1} phase={2} paused={3} unsched={4} prov={5} action={6} backoff={7} pull={8} -> {9}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            true  | ACTIVE      | Running    | false | false | false | NOTHING      | false | null             | Terminating
            true  | NONE        | null       | false | false | false | NOTHING      | false | null             | Terminating
            false | NONE        | null       | false | false | false | NOTHING      | false | null             | Stopped
            false | NONE        | null       | false | false | false | CREATE_VMI   | false | null             | Starting
            false | NONE        | null       | false | false | false | WAIT_BACKOFF | true  | null             | CrashLoopBackOff
            false | ACTIVE      | null       | false | false | false | NOTHING      | false | null             | Starting
            false | ACTIVE      | Pending    | false | false | false | NOTHING      | false | null             | Starting
            false | ACTIVE      | Scheduling | false | false | false | NOTHING      | false | null             | Starting
            false | ACTIVE      | Scheduling | false | true  | false | NOTHING      | false | null             | ErrorUnschedulable
            false | ACTIVE      | Pending    | false | false | true  | NOTHING      | false | null             | Provisioning
            false | ACTIVE      | Scheduled  | false | false | false | NOTHING      | false | null             | Starting
            false | ACTIVE      | Running    | false | false | false | NOTHING      | false | null             | Running
            false | ACTIVE      | Running    | true  | false | false | NOTHING      | false | null             | Paused
            false | ACTIVE      | Running    | false | false | false | DELETE_VMI   | false | null             | Stopping
            false | TERMINATING | Running    | false | false | false | NOTHING      | false | null             | Stopping
            false | TERMINATING | Failed     | false | false | false | NOTHING      | true  | null             | CrashLoopBackOff
            false | SUCCEEDED   | Succeeded  | false | false | false | NOTHING      | false | null             | Stopped
            false | FAILED      | Failed     | false | false | false | NOTHING      | false | null             | Stopped
            false | FAILED      | Failed     | false | false | false | DELETE_VMI   | true  | null             | CrashLoopBackOff
            false | ACTIVE      | Unknown    | false | false | false | NOTHING      | false | null             | Unknown
            false | ACTIVE      | WaitingForSync | false | false | false | NOTHING  | false | null             | Unknown
            false | ACTIVE      | Scheduled  | false | false | false | NOTHING      | false | ErrImagePull     | ErrImagePull
            false | ACTIVE      | Scheduled  | false | false | false | NOTHING      | false | ImagePullBackOff | ImagePullBackOff
            """)
    void table(boolean deleting, VmiState vmi, String phase, boolean paused, boolean unschedulable, boolean provisioning,
               Action action, boolean backoff, String pull, String expected) {
        assertEquals(expected, PrintableStatus.of(new VmView(deleting, vmi, phase, paused, unschedulable, provisioning, action, backoff, pull)));
    }
}
