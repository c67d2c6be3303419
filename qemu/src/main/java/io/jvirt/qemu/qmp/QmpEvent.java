package io.jvirt.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;

/**
 * An asynchronous QMP event. The events jvirt reacts to have their own record; any other event
 * arrives as {@link Other} with its raw {@code data}.
 */
public sealed interface QmpEvent {
    /** When QEMU emitted the event (QEMU's own clock; {@link Instant#EPOCH} if it sent none). */
    Instant timestamp();

    /** QEMU is shutting down (or stopped, with {@code -no-shutdown}); {@code guest} tells whether the guest asked. */
    record Shutdown(Instant timestamp, boolean guest, String reason) implements QmpEvent {}

    /** The ACPI power button was pressed (e.g. by {@code system_powerdown}). */
    record Powerdown(Instant timestamp) implements QmpEvent {}

    /** The virtual CPUs stopped (pause, {@code stop}, I/O error, …). */
    record Stop(Instant timestamp) implements QmpEvent {}

    /** The virtual CPUs run again. */
    record Resume(Instant timestamp) implements QmpEvent {}

    /** The machine was reset; {@code guest} tells whether the guest asked. */
    record Reset(Instant timestamp, boolean guest, String reason) implements QmpEvent {}

    /** The guest reported a panic; {@code action} is what QEMU did (pause, poweroff, run). */
    record GuestPanicked(Instant timestamp, String action, JsonNode info) implements QmpEvent {}

    /** A device finished unplugging; {@code device} is its id (may be null) and {@code path} its QOM path. */
    record DeviceDeleted(Instant timestamp, String device, String path) implements QmpEvent {}

    /** Migration changed state (e.g. setup, active, completed, failed). */
    record Migration(Instant timestamp, String status) implements QmpEvent {}

    /** Any other event, by its QMP name. */
    record Other(Instant timestamp, String name, JsonNode data) implements QmpEvent {}

    /**
     * Decodes one event message ({@code {"event": …, "data": …, "timestamp": …}}).
     * Missing fields become false/null rather than failing: QEMU versions differ.
     */
    static QmpEvent fromMessage(JsonNode message) {
        String name = message.path("event").asText();
        JsonNode data = message.path("data");
        Instant at = timestamp(message.path("timestamp"));
        return switch (name) {
            case "SHUTDOWN" -> new Shutdown(at, data.path("guest").asBoolean(), text(data, "reason"));
            case "POWERDOWN" -> new Powerdown(at);
            case "STOP" -> new Stop(at);
            case "RESUME" -> new Resume(at);
            case "RESET" -> new Reset(at, data.path("guest").asBoolean(), text(data, "reason"));
            case "GUEST_PANICKED" -> new GuestPanicked(at, text(data, "action"),
                    data.has("info") ? data.get("info") : NullNode.getInstance());
            case "DEVICE_DELETED" -> new DeviceDeleted(at, text(data, "device"), text(data, "path"));
            case "MIGRATION" -> new Migration(at, text(data, "status"));
            default -> new Other(at, name, data.isMissingNode() ? NullNode.getInstance() : data);
        };
    }

    private static String text(JsonNode data, String field) {
        JsonNode v = data.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant timestamp(JsonNode ts) {
        if (ts.isMissingNode()) {
            return Instant.EPOCH;
        }
        return Instant.ofEpochSecond(ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000L);
    }
}
