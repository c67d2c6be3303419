package io.jvirt.launcher.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.jvirt.launcher.domain.DomainState;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the node agent may ask of a launcher. Each command says in which domain states it is legal;
 * anything else is answered with an error and changes nothing. On the wire a command is a JSON
 * object with {@code "type"} set to the record's simple name.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(Command.Start.class), @JsonSubTypes.Type(Command.Pause.class),
    @JsonSubTypes.Type(Command.Unpause.class), @JsonSubTypes.Type(Command.Shutdown.class),
    @JsonSubTypes.Type(Command.Kill.class), @JsonSubTypes.Type(Command.Reset.class),
    @JsonSubTypes.Type(Command.SoftReboot.class), @JsonSubTypes.Type(Command.GetDomainInfo.class),
    @JsonSubTypes.Type(Command.GetStats.class), @JsonSubTypes.Type(Command.Query.class), @JsonSubTypes.Type(Command.Ping.class),
})
public sealed interface Command {
    /** The domain states in which this command is accepted. */
    Set<DomainState> legalIn();

    /** Start QEMU (the Sync of KubeVirt's protocol: the VMI came with the launch request). */
    record Start(boolean paused) implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.DEFINED);
        }
    }

    record Pause() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.RUNNING);
        }
    }

    record Unpause() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.PAUSED);
        }
    }

    /**
     * ACPI power button, then a kill after the grace period.
     *
     * @param gracePeriodSeconds null means the VMI's {@code terminationGracePeriodSeconds} (default 30)
     */
    record Shutdown(Long gracePeriodSeconds) implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTTING_DOWN);
        }
    }

    record Kill() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.STARTING, DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTTING_DOWN);
        }
    }

    record Reset() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.RUNNING, DomainState.PAUSED);
        }
    }

    record SoftReboot() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.RUNNING);
        }
    }

    record GetDomainInfo() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.allOf(DomainState.class);
        }
    }

    record GetStats() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.allOf(DomainState.class);
        }
    }

    /**
     * One read-only QMP query of the running QEMU (the node agent's metrics: {@code query-cpus-fast},
     * {@code query-blockstats}, {@code query-memory-size-summary}); answered with QEMU's {@code return} value.
     * Only {@code query-<lower-case letters and dashes>} commands are run, never another.
     */
    record Query(String command) implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.of(DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTTING_DOWN);
        }
    }

    record Ping() implements Command {
        public Set<DomainState> legalIn() {
            return EnumSet.allOf(DomainState.class);
        }
    }
}
