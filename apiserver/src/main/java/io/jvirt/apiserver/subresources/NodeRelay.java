package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.resources.ResourceType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The API server's side of the node agent relay: finds the node of a VMI ({@code status.nodeName}),
 * that node's Secret {@code kube-system/jvirt-handler-<node>} ({@code endpoint} host:port on loopback,
 * {@code token}), and runs one-line actions there. Blocking; call off the event loop.
 */
final class NodeRelay {
    private static final int TIMEOUT_MS = 30_000;

    /** Where and how to reach one VMI's node agent. */
    record Target(String host, int port, String header) {}

    private final ObjectService service;

    NodeRelay(ObjectService service) {
        this.service = service;
    }

    /**
     * The relay target of {@code action} on a Running VMI ({@code action} is the relay's words: {@code pause},
     * {@code console}, {@code portforward 22 tcp}, ...).
     *
     * @throws ApiException 404 without the VMI; 409 "VMI is not running" (400 for the streams console, vnc and
     *     portforward, as KubeVirt) when it is not Running; 503 when its node publishes no relay
     */
    Target resolve(ResourceType vmis, String ns, String name, String action) {
        ObjectNode vmi = service.get(vmis, ns, name);
        String phase = vmi.path("status").path("phase").asText("");
        String node = vmi.path("status").path("nodeName").asText("");
        if (!phase.equals("Running") || node.isEmpty()) {
            boolean stream = action.equals("console") || action.equals("vnc") || action.startsWith("portforward ");
            throw new ApiException(stream ? 400 : 409, stream ? "BadRequest" : "Conflict", "VMI is not running", name,
                    "kubevirt.io", "virtualmachineinstances", List.of());
        }
        return target(node, ns + " " + name + " " + action);
    }

    /**
     * The relay target of the log of a pod bound to {@code node}: the node agent finds the pod by name and uid
     * among the pods it runs.
     */
    Target resolvePodLog(String node, String ns, String pod, String uid, boolean follow, long tailLines) {
        return target(node, ns + " " + pod + " log " + uid + " " + (follow ? 1 : 0) + " " + tailLines);
    }

    /** The relay target of a node-wide action: {@code metrics} (Prometheus text) or {@code usage} (NodeUsage JSON). */
    Target resolveAction(String node, String action) {
        return target(node, "- " + node + " " + action);
    }

    /**
     * Runs a streaming action that answers {@code 101 ok} and then bytes until it closes (metrics); the bytes.
     *
     * @throws ApiException 503 when the node cannot be reached, 500 (or the node's 5xx) when it refused
     */
    static byte[] fetch(Target t) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(t.host(), t.port()), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            s.getOutputStream().write(t.header().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            Answer a = Answer.parse(readLine(s.getInputStream()));
            if (a.code() != 101) {
                throw new ApiException(a.code() >= 500 ? a.code() : 500, "InternalError", "node agent relay: " + a.message(), null, null, null, List.of());
            }
            return s.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new ApiException(503, "ServiceUnavailable", "node agent relay: " + e.getMessage(), null, null, null, List.of());
        }
    }

    private Target target(String node, String request) {
        ResourceType secrets = service.registry().find("", "v1", "secrets").orElseThrow();
        JsonNode data;
        try {
            data = service.get(secrets, "kube-system", "jvirt-handler-" + node).path("data");
        } catch (ApiException e) {
            if (e.code() != 404) throw e;
            throw unavailable(node, "publishes no relay endpoint");
        }
        String endpoint = decode(data.path("endpoint"));
        String token = decode(data.path("token"));
        int colon = endpoint.lastIndexOf(':');
        if (colon < 0 || token.isEmpty()) throw unavailable(node, "has a malformed relay Secret");
        return new Target(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)),
                token + " " + request + "\n");
    }

    /** Runs a one-line action; the node agent's answer as (code, message). */
    static Answer call(Target t) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(t.host(), t.port()), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            s.getOutputStream().write(t.header().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return Answer.parse(readLine(s.getInputStream()));
        } catch (IOException e) {
            throw new ApiException(503, "ServiceUnavailable", "node agent relay: " + e.getMessage(), null, null, null, List.of());
        }
    }

    /** The first line of a relay answer: {@code <code> <message>}. */
    record Answer(int code, String message) {
        static Answer parse(String line) {
            if (line == null) return new Answer(502, "node agent closed the relay connection");
            int sp = line.indexOf(' ');
            try {
                return new Answer(Integer.parseInt(sp < 0 ? line : line.substring(0, sp)), sp < 0 ? "" : line.substring(sp + 1));
            } catch (NumberFormatException e) {
                return new Answer(502, "malformed relay answer");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') b.write(c);
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    private static String decode(JsonNode v) {
        return v.isTextual() ? new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8) : "";
    }

    private static ApiException unavailable(String node, String why) {
        return new ApiException(503, "ServiceUnavailable", "node " + node + " " + why, null, null, null, List.of());
    }
}
