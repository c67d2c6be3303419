package io.jvirt.handler.relay;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.handler.vmi.LauncherClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runs one VMI action on a launcher through its socket, with KubeVirt's refusals: pause of a paused
 * VMI is 409 "VMI is already paused", unpause of one that is not paused 409 "VMI is not paused", any
 * other command the launcher refuses 409 with its reason. guestosinfo is 409 "VMI does not have guest
 * agent connected" (jvirt has no guest agent channel yet).
 */
final class LauncherActions {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private LauncherActions() {}

    static RelayReply run(Path launcherSocket, String action) throws IOException, InterruptedException {
        if (action.equals("guestosinfo")) return RelayReply.conflict("VMI does not have guest agent connected");
        try (LauncherClient launcher = LauncherClient.connect(launcherSocket, e -> { })) {
            String state = launcher.call("GetDomainInfo", Map.of(), TIMEOUT).path("state").asText("");
            if (action.equals("pause") && state.equals("PAUSED")) return RelayReply.conflict("VMI is already paused");
            if (action.equals("unpause") && !state.equals("PAUSED")) return RelayReply.conflict("VMI is not paused");
            String command = switch (action) {
                case "pause" -> "Pause";
                case "unpause" -> "Unpause";
                case "softreboot" -> "SoftReboot";
                case "reset" -> "Reset";
                default -> throw new IllegalArgumentException("not a launcher action: " + action);
            };
            try {
                JsonNode result = launcher.call(command, Map.of(), TIMEOUT);
                return RelayReply.ok(result == null || result.isMissingNode() || result.isNull() ? "{}" : result.toString());
            } catch (LauncherClient.LauncherException e) {
                return RelayReply.conflict(e.getMessage());
            }
        }
    }
}
