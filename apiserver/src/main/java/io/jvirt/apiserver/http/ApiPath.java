package io.jvirt.apiserver.http;

import java.util.Optional;

/**
 * A parsed resource URL: {@code /api/v1/...} (group "") or {@code /apis/<group>/<version>/...}, then
 * {@code [namespaces/<ns>/]<plural>[/<name>[/<subresource>]]}. {@code /api/v1/namespaces/<name>}
 * addresses the Namespace object itself. {@code namespace} and {@code name} are null when absent.
 */
public record ApiPath(String group, String version, String namespace, String plural, String name, String subresource) {

    /** Parses a request path; empty if it is not a resource URL. */
    public static Optional<ApiPath> parse(String path) {
        String[] s = path.replaceAll("/+$", "").split("/");
        int i;
        String group;
        String version;
        if (s.length >= 4 && s[1].equals("api")) {
            group = "";
            version = s[2];
            i = 3;
        } else if (s.length >= 5 && s[1].equals("apis")) {
            group = s[2];
            version = s[3];
            i = 4;
        } else {
            return Optional.empty();
        }
        int rest = s.length - i;
        for (int k = i; k < s.length; k++) if (s[k].isEmpty()) return Optional.empty();
        if (s[i].equals("namespaces") && rest >= 3 && !(rest == 3 && (s[i + 2].equals("status") || s[i + 2].equals("finalize")))) {
            String ns = s[i + 1];
            return tail(group, version, ns, s, i + 2);
        }
        return tail(group, version, null, s, i);
    }

    private static Optional<ApiPath> tail(String group, String version, String ns, String[] s, int i) {
        int rest = s.length - i;
        if (rest < 1 || rest > 3) return Optional.empty();
        return Optional.of(new ApiPath(group, version, ns, s[i], rest >= 2 ? s[i + 1] : null, rest == 3 ? s[i + 2] : null));
    }
}
