package io.jvirt.apiserver.schema;

import io.jvirt.apiserver.http.Cause;
import java.util.List;

/** What {@link StructuralSchema#apply} found: validation errors and the paths of pruned unknown fields. */
public record SchemaOutcome(List<Cause> errors, List<String> unknownFields) {}
