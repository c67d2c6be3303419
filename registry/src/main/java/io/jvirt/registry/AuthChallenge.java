package io.jvirt.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The first challenge of a {@code WWW-Authenticate} header (RFC 7235): its scheme and parameters, e.g.
 * {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"} or
 * {@code Basic realm="basic-realm"}. Pure and immutable.
 *
 * @param scheme lower case ({@code basic}, {@code bearer})
 * @param params parameter names lower case, values unquoted
 */
public record AuthChallenge(String scheme, Map<String, String> params) {
    public AuthChallenge {
        params = Map.copyOf(params);
    }

    /** @throws IllegalArgumentException when {@code header} has no scheme or a parameter is malformed */
    public static AuthChallenge parse(String header) {
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("empty WWW-Authenticate header");
        }
        String s = header.strip();
        int i = 0;
        while (i < s.length() && isToken(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("no auth scheme in WWW-Authenticate: " + header);
        }
        String scheme = s.substring(0, i).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        while (i < s.length()) {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
                i++;
            }
            int nameStart = i;
            while (i < s.length() && isToken(s.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                break;
            }
            String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '=') {
                break; // a second challenge's scheme: only the first is read
            }
            i++;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < s.length()) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) {
                        value.append(s.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value of " + name + " in WWW-Authenticate: " + header);
                }
            } else {
                while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                    value.append(s.charAt(i++));
                }
            }
            params.putIfAbsent(name, value.toString());
        }
        return new AuthChallenge(scheme, params);
    }

    /** A parameter's value, or null. */
    public String param(String name) {
        return params.get(name);
    }

    private static boolean isToken(char c) {
        return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
