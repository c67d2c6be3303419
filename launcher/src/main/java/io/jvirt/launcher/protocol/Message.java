package io.jvirt.launcher.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.launcher.domain.DomainEvent;

/**
 * One line on the launcher socket (newline-delimited JSON, UTF-8). The node agent sends
 * {@link Request}s; the launcher answers each with a {@link Response} carrying the same id and
 * pushes {@link Event}s to every connected client. Every message carries {@link #VERSION}; a
 * request of another version is refused.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(Message.Request.class), @JsonSubTypes.Type(Message.Response.class),
    @JsonSubTypes.Type(Message.Event.class),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Message {
    /** The protocol version this launcher speaks. */
    int VERSION = 1;

    int version();

    record Request(int version, long id, Command command) implements Message {}

    /**
     * @param ok true when the command was carried out
     * @param result command-specific data (domain info, stats) or null
     * @param error what went wrong, when not ok
     */
    record Response(int version, long id, boolean ok, JsonNode result, String error) implements Message {}

    record Event(int version, DomainEvent event) implements Message {}
}
