package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The answer to a write: HTTP code, the object (or a Status) and Warning headers to send. */
public record WriteResult(int code, ObjectNode body, List<String> warnings) {}
