package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;

/**
 * A table column: header name, type, format, JSONPath into the object, -o wide priority (a CRD's
 * additionalPrinterColumn), or for built-in kinds whose kube-apiserver column is computed rather than
 * a path (a Node's {@code Ready}/{@code NotReady}), a {@code derive} function of the whole object.
 */
public record PrinterColumn(String name, String type, String format, String description, String jsonPath, int priority,
                            Function<JsonNode, String> derive) {
    public PrinterColumn(String name, String type, String format, String description, String jsonPath, int priority) {
        this(name, type, format, description, jsonPath, priority, null);
    }
}
