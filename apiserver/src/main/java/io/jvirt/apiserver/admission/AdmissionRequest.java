package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.List;

/**
 * One write under admission. {@code object} is the new state (mutable by mutating admitters only; null on
 * DELETE, as in an AdmissionReview), {@code oldObject} the stored state for UPDATE/DELETE (null on CREATE, the
 * pod for a {@code pods/binding} CREATE whose object is the Binding); {@code subresource} is null for the main
 * resource. {@code userName} and {@code userGroups} are the requester's (no groups for the server's own writes;
 * every authenticated user is in {@code system:authenticated}).
 */
public record AdmissionRequest(Operation operation, ResourceType type, String subresource, ObjectNode object,
                               ObjectNode oldObject, String userName, boolean dryRun, List<String> userGroups) {
    public AdmissionRequest {
        userGroups = userGroups == null ? List.of() : List.copyOf(userGroups);
    }

    /** A request of a caller known by name only (no groups). */
    public AdmissionRequest(Operation operation, ResourceType type, String subresource, ObjectNode object,
                            ObjectNode oldObject, String userName, boolean dryRun) {
        this(operation, type, subresource, object, oldObject, userName, dryRun, List.of());
    }
}
