package io.jvirt.apiserver.http;

/**
 * A boolean query parameter read as kube-apiserver reads one: absent is false; {@code 0} and
 * {@code false} in any letter case are false; every other value, the empty one included
 * ({@code ?watch}), is true. So {@code watch=true}, {@code watch=True} (the Python client) and
 * {@code watch=1} all start a watch. Pure.
 */
public final class QueryBool {
    private QueryBool() {}

    /** The value of a parameter given as {@code raw} (null when absent). */
    public static boolean parse(String raw) {
        if (raw == null) return false;
        return !(raw.equals("0") || raw.equalsIgnoreCase("false"));
    }
}
