package io.jvirt.apiserver.subresources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.apiserver.subresources.VmChange.Accepted;
import io.jvirt.apiserver.subresources.VmChange.Rejected;
import io.jvirt.apiserver.subresources.VmChange.Request;
import io.jvirt.apiserver.subresources.VmFacts.VmiPresence;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmLifecycleTest {

    /**
     * Expected: {@code 409:message} / {@code 400:message} for a refusal, else
     * {@code strategy|requests} with strategy "-" for unchanged and requests as "Start,Stop(uid)".
     */
    @ParameterizedTest(name = "{0} {1} vmi={2} -> {3}")
    @CsvSource(delimiter = ';', value = {
            "START;   Halted;         NONE;      Always|",
            "START;   Halted;         SUCCEEDED; Always|",
            "START;   Halted;         ACTIVE;    409:VM is already running",
            "START;   Always;         NONE;      409:Always does not support manual start requests",
            "START;   Always;         ACTIVE;    409:VM is already running",
            "START;   Once;           SUCCEEDED; 409:Once does not support manual start requests",
            "START;   Manual;         NONE;      -|Start",
            "START;   Manual;         SUCCEEDED; -|Stop(vmi-1),Start",
            "START;   Manual;         ACTIVE;    409:VM is already running",
            "START;   RerunOnFailure; NONE;      -|Start",
            "START;   RerunOnFailure; FAILED;    -|Stop(vmi-1),Start",
            "START;   Bogus;          NONE;      400:Invalid RunStrategy (Bogus)",
            "STOP;    Always;         ACTIVE;    Halted|",
            "STOP;    Always;         NONE;      Halted|",
            "STOP;    RerunOnFailure; ACTIVE;    Halted|",
            "STOP;    Once;           ACTIVE;    Halted|",
            "STOP;    Halted;         NONE;      409:VM is not running",
            "STOP;    Halted;         SUCCEEDED; 409:VM is not running",
            "STOP;    Halted;         ACTIVE;    -|Stop(vmi-1)",
            "STOP;    Manual;         ACTIVE;    -|Stop(vmi-1)",
            "STOP;    Manual;         FAILED;    409:VM is not running",
            "RESTART; Halted;         ACTIVE;    409:RunStategy Halted does not support manual restart requests",
            "RESTART; Once;           ACTIVE;    409:Once does not support manual restart requests",
            "RESTART; Always;         NONE;      409:VM is not running",
            "RESTART; Always;         ACTIVE;    -|Stop(vmi-1),Start",
            "RESTART; Manual;         SUCCEEDED; -|Stop(vmi-1),Start",
            "RESTART; RerunOnFailure; ACTIVE;    -|Stop(vmi-1),Start",
    })
    void actionMatrix(VmAction action, String strategy, VmiPresence vmi, String expected) {
        String uid = vmi == VmiPresence.NONE ? null : "vmi-1";
        assertEquals(expected, render(VmLifecycle.decide(action, new VmFacts(strategy, vmi, uid), false)));
    }

    @ParameterizedTest(name = "start paused under {0}")
    @CsvSource({"Halted, Always|Start{startPaused=true}", "Manual, -|Start{startPaused=true}"})
    void startPausedCarriesTheFlag(String strategy, String expected) {
        assertEquals(expected, render(VmLifecycle.decide(VmAction.START, new VmFacts(strategy, VmiPresence.NONE, null), true)));
    }

    private static String render(VmChange change) {
        return switch (change) {
            case Rejected r -> r.code() + ":" + r.message();
            case Accepted a -> (a.runStrategy() == null ? "-" : a.runStrategy()) + "|"
                    + a.requests().stream().map(VmLifecycleTest::render).collect(Collectors.joining(","));
        };
    }

    private static String render(Request r) {
        return r.action() + (r.uid() == null ? "" : "(" + r.uid() + ")") + (r.data().isEmpty() ? "" : r.data().toString());
    }

}
