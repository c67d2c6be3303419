package io.jvirt.controller.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransitionTest {
    /** pod: "-" none, else nodeName/phase/unschedulable/deleting[/failure reason] with "_" for empty. */
    private static PodView pod(String spec) {
        if (spec.equals("-")) return null;
        String[] p = spec.split("/");
        return new PodView(p[0].equals("_") ? null : p[0], p[1].equals("_") ? null : p[1], p[2].equals("_") ? null : p[2], Boolean.parseBoolean(p[3]),
                p.length > 4 ? p[4] : null, p.length > 4 ? "the node's message" : null);
    }

    @ParameterizedTest(name = "phase={0} deleting={1} pod={2} -> {3} {4} create={5} delete={6}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            null       | false | -                        | Pending    | null           | false | false
            Pending    | false | -                        | Scheduling | null           | true  | false
            Pending    | false | _/Pending/_/false        | Scheduling | null           | false | false
            Scheduling | false | _/Pending/_/false        | Scheduling | null           | false | false
            Scheduling | false | _/Pending/0 nodes/false  | Scheduling | null           | false | false
            Scheduling | false | node-1/Pending/_/false   | Scheduled  | null           | false | false
            null       | false | node-1/Pending/_/false   | Scheduled  | null           | false | false
            Scheduled  | false | node-1/Running/_/false   | Scheduled  | null           | false | false
            Running    | false | node-1/Running/_/false   | Running    | null           | false | false
            Scheduling | false | -                        | Failed     | PodVanished    | false | false
            Scheduled  | false | -                        | Failed     | PodVanished    | false | false
            Running    | false | -                        | Failed     | PodVanished    | false | false
            Scheduled  | false | node-1/Failed/_/false    | Failed     | PodEnded       | false | false
            Scheduled  | false | node-1/Running/_/true    | Failed     | PodTerminating | false | false
            Running    | false | node-1/Failed/_/false    | Running    | null           | false | false
            Scheduled  | false | node-1/Failed/_/false/StartError | Failed | StartError | false | false
            Scheduled  | false | node-1/Pending/_/false/ErrImagePull | Scheduled | null | false | false
            Succeeded  | false | node-1/Succeeded/_/false | Succeeded  | null           | false | false
            Failed     | false | node-1/Failed/_/false    | Failed     | null           | false | false
            Failed     | false | node-1/Running/_/false   | Failed     | null           | false | true
            Failed     | false | -                        | Failed     | null           | false | false
            Running    | true  | node-1/Running/_/false   | Running    | null           | false | true
            Running    | true  | node-1/Running/_/true    | Running    | null           | false | false
            null       | true  | -                        | Pending    | null           | false | false
            """)
    void table(String phase, boolean deleting, String pod, String next, String reason, boolean create, boolean delete) {
        assertEquals(new Transition(next, reason, create, delete), Transition.decide(phase, deleting, pod(pod)));
    }
}
