package io.jvirt.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one CNI plugin binary as the CNI spec says: the network configuration on standard input, the
 * operation and its parameters in {@code CNI_COMMAND}, {@code CNI_CONTAINERID}, {@code CNI_NETNS},
 * {@code CNI_IFNAME}, {@code CNI_PATH}; the result or error on standard output. Plugins are found by their
 * {@code type} in the plugin directories only (a type is a bare file name, never a path). Thread-safe.
 *
 * @param path the plugin directories, in order (Debian's {@code /usr/lib/cni})
 */
public record CniPlugin(java.util.List<Path> path) {
    public static final Path DEBIAN = Path.of("/usr/lib/cni");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;

    public CniPlugin {
        path = java.util.List.copyOf(path);
    }

    /** What one call concerns: the container, its namespace ({@code null}: none, for a DEL) and interface. */
    public record Target(String containerId, Path netns, String ifname) {
        public Target {
            if (!containerId.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
                throw new IllegalArgumentException("not a CNI container id: '" + containerId + "'");
            }
            if (!ifname.matches("[A-Za-z0-9_.-]{1,15}")) {
                throw new IllegalArgumentException("not a Linux interface name: '" + ifname + "'");
            }
        }
    }

    /**
     * Runs plugin {@code conf.type} for {@code command}; returns what it printed (a result for ADD and
     * VERSION, usually nothing for DEL and CHECK), or throws {@link CniException} with the plugin's error.
     */
    public JsonNode invoke(CniCommand command, Target target, ObjectNode conf) throws IOException {
        String type = conf.path("type").asText("");
        Path binary = find(type);
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command.name());
        env.put("CNI_CONTAINERID", target.containerId());
        env.put("CNI_NETNS", target.netns() == null ? "" : target.netns().toString());
        env.put("CNI_IFNAME", target.ifname());
        env.put("CNI_PATH", String.join(":", path.stream().map(Path::toString).toList()));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(conf));
        }
        String out;
        try (InputStream stdout = p.getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        int exit;
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(type, CniException.NOT_A_PLUGIN_ERROR, command + " did not end within " + TIMEOUT_SECONDS + " s", null);
            }
            exit = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running CNI plugin " + type, e);
        }
        JsonNode answer = out.isBlank() ? null : readOrNull(out);
        if (exit != 0) {
            if (answer != null && answer.has("code")) {
                throw new CniException(type, answer.path("code").asInt(), answer.path("msg").asText(""), answer.path("details").asText(""));
            }
            throw new CniException(type, CniException.NOT_A_PLUGIN_ERROR, command + " exited " + exit, out.strip());
        }
        if (!out.isBlank() && answer == null) {
            throw new CniException(type, CniException.NOT_A_PLUGIN_ERROR, "output is not JSON", out.strip());
        }
        return answer;
    }

    /** Throws unless {@code type} is a bare file name of a plugin in the plugin directories. */
    public void require(String type) throws CniException {
        find(type);
    }

    private Path find(String type) throws CniException {
        if (!type.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
            throw new CniException(String.valueOf(type), CniException.NOT_A_PLUGIN_ERROR, "not a plugin type", null);
        }
        for (Path dir : path) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new CniException(type, CniException.NOT_A_PLUGIN_ERROR, "no such plugin in " + path, null);
    }

    private static JsonNode readOrNull(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
