package io.jvirt.apiserver.security;

import java.util.ArrayList;
import java.util.List;

/**
 * An authenticated caller, as kube-apiserver's user.Info: a name, a uid and groups. {@link #of} adds the
 * groups Kubernetes gives every authenticated user ({@code system:authenticated}) and, for a service
 * account name {@code system:serviceaccount:NS:NAME}, {@code system:serviceaccounts} and
 * {@code system:serviceaccounts:NS}. Immutable.
 */
public record User(String name, String uid, List<String> groups) {
    public static final String AUTHENTICATED = "system:authenticated";
    /** The group that every authorization check lets through (kube-apiserver's privileged group). */
    public static final String MASTERS = "system:masters";
    static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    public User {
        groups = List.copyOf(groups);
    }

    /** A user with the given groups plus the implicit ones. */
    public static User of(String name, String uid, List<String> groups) {
        List<String> all = new ArrayList<>(groups);
        if (name.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            String[] parts = name.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
            if (parts.length == 2) {
                all.add("system:serviceaccounts");
                all.add("system:serviceaccounts:" + parts[0]);
            }
        }
        if (!all.contains(AUTHENTICATED)) all.add(AUTHENTICATED);
        return new User(name, uid, all);
    }

    /** Whether this user is in the privileged group ({@link #MASTERS}). */
    public boolean privileged() {
        return groups.contains(MASTERS);
    }
}
