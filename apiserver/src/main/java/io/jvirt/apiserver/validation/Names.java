package io.jvirt.apiserver.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The name grammars of Kubernetes (apimachinery's {@code util/validation}): DNS-1123 labels and subdomains, DNS-1035
 * labels, qualified names (label keys, annotation keys, finalizers), label values and config keys. Each check returns
 * kube-apiserver's messages (empty = valid); callers put them in causes as {@code Invalid value: "x": <message>}.
 * Pure and thread-safe.
 */
public final class Names {
    public static final int DNS1123_LABEL_MAX = 63;
    public static final int DNS1123_SUBDOMAIN_MAX = 253;
    public static final int QUALIFIED_NAME_MAX = 63;
    public static final int LABEL_VALUE_MAX = 63;
    public static final int CONFIG_KEY_MAX = 253;

    private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN_FMT = LABEL_FMT + "(\\." + LABEL_FMT + ")*";
    private static final String DNS1035_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String QUALIFIED_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_FMT + ")?";
    private static final String CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
    private static final Pattern LABEL = Pattern.compile(LABEL_FMT);
    private static final Pattern SUBDOMAIN = Pattern.compile(SUBDOMAIN_FMT);
    private static final Pattern DNS1035 = Pattern.compile(DNS1035_FMT);
    private static final Pattern QUALIFIED = Pattern.compile(QUALIFIED_FMT);
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
    private static final Pattern CONFIG_KEY = Pattern.compile(CONFIG_KEY_FMT);
    private static final String QUALIFIED_MSG =
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private Names() {}

    /** A name check: the value, and whether it is a prefix (generateName: trailing dashes are allowed). */
    @FunctionalInterface
    public interface NameRule {
        List<String> check(String name, boolean prefix);
    }

    /** Object names that are DNS-1123 subdomains (most kinds). */
    public static List<String> subdomainName(String name, boolean prefix) {
        return dns1123Subdomain(prefix ? maskTrailingDash(name) : name);
    }

    /**
     * Object names that only have to be path segments (RBAC kinds, e.g. {@code system:discovery}): not "." or "..",
     * no "/" or "%" (apimachinery's ValidatePathSegmentName).
     */
    public static List<String> pathSegmentName(String name, boolean prefix) {
        if (!prefix && (name.equals(".") || name.equals(".."))) return List.of("may not be '" + name + "'");
        for (String bad : List.of("/", "%")) {
            if (name.contains(bad)) return List.of("may not contain '" + bad + "'");
        }
        return List.of();
    }

    /** Object names that are DNS-1123 labels (Namespace). */
    public static List<String> labelName(String name, boolean prefix) {
        return dns1123Label(prefix ? maskTrailingDash(name) : name);
    }

    /** Object names that are DNS-1035 labels (Service). */
    public static List<String> dns1035Name(String name, boolean prefix) {
        return dns1035Label(prefix ? maskTrailingDash(name) : name);
    }

    public static List<String> dns1123Label(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX) errors.add(maxLength(DNS1123_LABEL_MAX));
        if (!LABEL.matcher(value).matches()) {
            errors.add(SUBDOMAIN.matcher(value).matches() ? "must not contain dots"
                    : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
                    + "end with an alphanumeric character", LABEL_FMT, "my-name", "123-abc"));
        }
        return errors;
    }

    public static List<String> dns1123Subdomain(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX) errors.add(maxLength(DNS1123_SUBDOMAIN_MAX));
        if (!SUBDOMAIN.matcher(value).matches()) {
            errors.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                    + "must start and end with an alphanumeric character", SUBDOMAIN_FMT, "example.com"));
        }
        return errors;
    }

    public static List<String> dns1035Label(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX) errors.add(maxLength(DNS1123_LABEL_MAX));
        if (!DNS1035.matcher(value).matches()) {
            errors.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                    + "character, and end with an alphanumeric character", DNS1035_FMT, "my-name", "abc-123"));
        }
        return errors;
    }

    /** A label key, annotation key (lower-cased first) or finalizer: an optional DNS subdomain prefix and '/', then a name part. */
    public static List<String> qualifiedName(String value) {
        List<String> errors = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                name = parts[1];
                if (parts[0].isEmpty()) {
                    errors.add("prefix part must be non-empty");
                } else {
                    dns1123Subdomain(parts[0]).forEach(m -> errors.add("prefix part " + m));
                }
            }
            default -> {
                errors.add("a qualified name " + regexError(QUALIFIED_MSG, QUALIFIED_FMT, "MyName", "my.name", "123-abc")
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
            }
        }
        if (name.isEmpty()) {
            errors.add("name part must be non-empty");
        } else if (name.length() > QUALIFIED_NAME_MAX) {
            errors.add("name part " + maxLength(QUALIFIED_NAME_MAX));
        }
        if (!QUALIFIED.matcher(name).matches()) {
            errors.add("name part " + regexError(QUALIFIED_MSG, QUALIFIED_FMT, "MyName", "my.name", "123-abc"));
        }
        return errors;
    }

    public static List<String> labelValue(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > LABEL_VALUE_MAX) errors.add(maxLength(LABEL_VALUE_MAX));
        if (!LABEL_VALUE.matcher(value).matches()) {
            errors.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
                    + "start and end with an alphanumeric character", LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errors;
    }

    /** A key of a ConfigMap's or Secret's data. */
    public static List<String> configKey(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > CONFIG_KEY_MAX) errors.add(maxLength(CONFIG_KEY_MAX));
        if (!CONFIG_KEY.matcher(value).matches()) {
            errors.add(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT,
                    "key.name", "KEY_NAME", "key-name"));
        }
        if (value.equals(".")) {
            errors.add("must not be '.'");
        } else if (value.equals("..")) {
            errors.add("must not be '..'");
        } else if (value.startsWith("..")) {
            errors.add("must not start with '..'");
        }
        return errors;
    }

    public static String maxLength(int max) {
        return "must be no more than " + max + " characters";
    }

    /** apimachinery's {@code RegexError}: the message, the examples and the regular expression. */
    static String regexError(String message, String format, String... examples) {
        StringBuilder sb = new StringBuilder(message).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) sb.append(" or ");
            sb.append('\'').append(examples[i]).append("', ");
        }
        return sb.append("regex used for validation is '").append(format).append("')").toString();
    }

    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 2) + "a" : name;
    }

    /** {@code "x"} as Go's %q would quote a string (backslash and double quote escaped). */
    public static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
