package io.jvirt.handler.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;

/**
 * Where the node agent's metrics read the QEMUs of the VMIs it runs: per VMI, QEMU's process id (for /proc)
 * and read-only QMP queries, whoever holds the VMI's QMP session. Implementations are thread-safe.
 */
@FunctionalInterface
public interface DomainStatsSource {
    /** A read-only QMP query of one QEMU: {@code query-cpus-fast}, {@code query-blockstats}, ... */
    @FunctionalInterface
    interface Qmp {
        /** QEMU's {@code return} value of {@code command}. */
        JsonNode query(String command) throws IOException, InterruptedException;
    }

    /** The QEMU of VMI {@code namespace/name}, process {@code qemuPid}. */
    record Domain(String namespace, String name, long qemuPid, Qmp qmp) {}

    /** The VMIs whose QEMU runs on this node now (started, not yet ended). */
    List<Domain> domains();
}
