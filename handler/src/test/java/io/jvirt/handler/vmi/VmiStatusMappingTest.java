package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.converter.DomainState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmiStatusMappingTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        // domain state, phase, ready, ready reason, paused, final
        "DEFINED, Scheduled, false, DomainNotRunning, false, false",
        "STARTING, Scheduled, false, DomainNotRunning, false, false",
        "RUNNING, Running, true, null, false, false",
        "SHUTTING_DOWN, Running, true, null, false, false",
        "PAUSED, Running, false, Paused, true, false",
        "SHUTOFF, Succeeded, false, DomainShutOff, false, true",
        "CRASHED, Failed, false, DomainCrashed, false, true",
    })
    void maps(DomainState state, String phase, boolean ready, String reason, boolean paused, boolean finalPhase) {
        assertEquals(new VmiStatusMapping(phase, ready, reason, paused, finalPhase), VmiStatusMapping.of(state));
    }
}
