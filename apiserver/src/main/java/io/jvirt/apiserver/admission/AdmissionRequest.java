package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.resources.ResourceType;

/**
 * One write under admission. {@code object} is the new state (mutable by mutating admitters only),
 * {@code oldObject} the stored state for UPDATE/DELETE (null on CREATE); {@code subresource} is null
 * for the main resource.
 */
public record AdmissionRequest(Operation operation, ResourceType type, String subresource, ObjectNode object,
                               ObjectNode oldObject, String userName, boolean dryRun) {}
