package io.jvirt.handler.relay;

import java.nio.file.Path;
import java.util.Optional;

/** The logs of the pods a node agent runs, found by what the agent itself knows (never a path from the request). */
@FunctionalInterface
public interface PodLogs {
    /** One pod's log file and whether the pod has ended. */
    record LogFile(Path file, java.util.function.BooleanSupplier ended) {}

    /** The log of pod {@code namespace/name} when this agent runs a pod of that name with {@code uid}. */
    Optional<LogFile> find(String namespace, String name, String uid);
}
