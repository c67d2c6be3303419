package io.jvirt.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.PrinterColumn;
import io.jvirt.apiserver.resources.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Server-side {@code meta.k8s.io/v1 Table} output, as kubectl requests with
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}: a Name column, the type's printer
 * columns (priority 1 = -o wide only), and each row's object as {@link IncludeObject} asks (the full
 * object, its PartialObjectMetadata, or none). Pure.
 */
public final class TableRenderer {
    public static final String CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private TableRenderer() {}

    /** A Table of {@code objects} with PartialObjectMetadata rows; {@code withColumns=false} omits columnDefinitions (watch events after the first). */
    public static ObjectNode table(ResourceType type, List<? extends JsonNode> objects, boolean withColumns, Instant now) {
        return table(type, objects, withColumns, IncludeObject.METADATA, now);
    }

    /** A Table of {@code objects} whose rows carry what {@code include} asks for. */
    public static ObjectNode table(ResourceType type, List<? extends JsonNode> objects, boolean withColumns, IncludeObject include, Instant now) {
        ObjectNode t = Codec.NODES.objectNode();
        t.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        t.putObject("metadata");
        if (withColumns) {
            ArrayNode defs = t.putArray("columnDefinitions");
            defs.addObject().put("name", "Name").put("type", "string").put("format", "name")
                    .put("description", "Name must be unique within a namespace.").put("priority", 0);
            for (PrinterColumn c : type.columns()) {
                defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                        .put("description", c.description()).put("priority", c.priority());
            }
        } else {
            t.putNull("columnDefinitions");
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : objects) rows.add(row(type, o, include, now));
        return t;
    }

    private static ObjectNode row(ResourceType type, JsonNode object, IncludeObject include, Instant now) {
        ObjectNode row = Codec.NODES.objectNode();
        ArrayNode cells = row.putArray("cells");
        cells.add(object.path("metadata").path("name").asText());
        for (PrinterColumn c : type.columns()) cells.add(cell(c, object, now));
        switch (include) {
            case NONE -> { }
            case OBJECT -> row.set("object", object.deepCopy());
            case METADATA -> {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", object.path("metadata").deepCopy());
            }
        }
        return row;
    }

    private static JsonNode cell(PrinterColumn c, JsonNode object, Instant now) {
        if (c.derive() != null) {
            return Codec.NODES.textNode(c.derive().apply(object));
        }
        List<JsonNode> values = JsonPath.read(object, c.jsonPath());
        if (values.isEmpty() || values.get(0).isNull()) return Codec.NODES.nullNode();
        JsonNode v = values.get(0);
        if (c.type().equals("date") && v.isTextual()) {
            try {
                return Codec.NODES.textNode(humanAge(Duration.between(Instant.parse(v.asText()), now)));
            } catch (DateTimeParseException e) {
                return Codec.NODES.textNode(v.asText());
            }
        }
        if (values.size() > 1 || v.isContainerNode()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode x : values) {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(x.isValueNode() ? x.asText() : x.toString());
            }
            return Codec.NODES.textNode(sb.toString());
        }
        return switch (c.type()) {
            case "integer" -> v.isNumber() ? v : Codec.NODES.textNode(v.asText());
            case "number" -> v.isNumber() ? v : Codec.NODES.textNode(v.asText());
            case "boolean" -> v.isBoolean() ? v : Codec.NODES.textNode(v.asText());
            default -> Codec.NODES.textNode(v.asText());
        };
    }

    /** kubectl's short age format: 45s, 3m20s, 12m, 5h3m, 20h, 3d4h, 40d, 2y30d, 9y. */
    public static String humanAge(Duration d) {
        long s = d.getSeconds();
        if (s < 0) return "<invalid>";
        if (s < 120) return s + "s";
        long m = s / 60;
        if (m < 10) return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        if (m < 180) return m + "m";
        long h = m / 60;
        if (h < 8) return h + "h" + (m % 60 == 0 ? "" : (m % 60) + "m");
        if (h < 48) return h + "h";
        if (h < 24 * 8) return (h / 24) + "d" + (h % 24 == 0 ? "" : (h % 24) + "h");
        if (h < 24 * 365 * 2) return (h / 24) + "d";
        long y = h / (24 * 365);
        if (y < 8) return y + "y" + ((h / 24) % 365 == 0 ? "" : ((h / 24) % 365) + "d");
        return y + "y";
    }
}
