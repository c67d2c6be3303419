package io.jvirt.apiserver.security;

import io.jvirt.api.auth.ComponentIdentity;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Static bearer tokens in a 0600 file, one {@code token,user,uid,"group1,group2"} line each: the format
 * of kube-apiserver's {@code --token-auth-file}. What a user may do is decided by RBAC bindings, not here.
 *
 * <p>Older files had {@code token,user,role} lines (role admin, edit or view). Such a line still
 * authenticates; its role is handed once to the consumer given to {@link #migrateRoles} (which binds the
 * user to the role), and the file is rewritten in the current format (an admin line gets the group
 * {@code system:masters}). A control-plane component ({@link ComponentIdentity}) never gets groups from the
 * file: its rights are its bootstrap role's. Thread-safe; lookups are constant-time in the token's content.
 */
public final class TokenFile {
    private static final System.Logger LOG = System.getLogger(TokenFile.class.getName());
    private static final List<String> LEGACY_ROLES = List.of("admin", "edit", "view");

    private final Path file;
    private final Map<String, User> byToken = new ConcurrentHashMap<>();
    private final Map<String, String> pendingRoles = new LinkedHashMap<>();
    private Consumer<Map<String, String>> roleMigration;
    private long lastModified = -1;

    private TokenFile(Path file) {
        this.file = file;
    }

    /** Loads {@code file}, creating it with one admin token (group {@code system:masters}) when it has none. */
    public static TokenFile ensure(Path file) throws IOException {
        TokenFile tokens = new TokenFile(file);
        tokens.reloadIfChanged();
        if (tokens.tokenFor("admin").isEmpty()) tokens.add("admin", List.of(User.MASTERS));
        return tokens;
    }

    /**
     * From now on, hands the roles of old-format lines ({@code user → admin|edit|view}) to {@code migration},
     * first the ones already read, later the ones of lines appended to the file; each only once.
     */
    public void migrateRoles(Consumer<Map<String, String>> migration) throws IOException {
        synchronized (this) {
            roleMigration = migration;
        }
        flushRoles();
    }

    /**
     * Reads the file again when it changed since the last read, so tokens added from outside (for example
     * by {@code ./jvirt kubeconfig USER ROLE}) work without a restart. Lines that do not parse are skipped.
     */
    private void reloadIfChanged() throws IOException {
        synchronized (this) {
            if (!Files.exists(file)) return;
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (modified == lastModified) return;
            lastModified = modified;
            boolean legacy = false;
            for (String line : Files.readAllLines(file)) {
                List<String> f = fields(line.trim());
                if (f.size() < 2 || f.get(0).isEmpty() || f.get(1).isEmpty()) continue;
                String token = f.get(0), name = f.get(1);
                boolean component = ComponentIdentity.of(name).isPresent();
                if (f.size() == 3 && LEGACY_ROLES.contains(f.get(2))) {
                    legacy = true;
                    String role = f.get(2);
                    byToken.put(token, User.of(name, name, role.equals("admin") && !component ? List.of(User.MASTERS) : List.of()));
                    if (!role.equals("admin") && !component) pendingRoles.put(name, role);
                    continue;
                }
                String uid = f.size() > 2 && !f.get(2).isEmpty() ? f.get(2) : name;
                List<String> groups = f.size() > 3 && !f.get(3).isBlank() && !component ? List.of(f.get(3).split(",")) : List.of();
                byToken.put(token, User.of(name, uid, groups.stream().map(String::trim).filter(g -> !g.isEmpty()).toList()));
            }
            if (legacy) {
                LOG.log(Level.INFO, "{0}: converting token,user,role lines to token,user,uid,groups", file);
                persist();
            }
        }
        flushRoles();
    }

    private void flushRoles() {
        Map<String, String> roles;
        Consumer<Map<String, String>> migration;
        synchronized (this) {
            if (roleMigration == null || pendingRoles.isEmpty()) return;
            roles = Map.copyOf(pendingRoles);
            pendingRoles.clear();
            migration = roleMigration;
        }
        migration.accept(roles);
    }

    /** One CSV line's fields; a field in double quotes may hold commas. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Adds a new random token for {@code user} in {@code groups} and persists the file; returns the token. */
    public synchronized String add(String user, List<String> groups) throws IOException {
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        byToken.put(token, User.of(user, user, groups));
        persist();
        return token;
    }

    private void persist() throws IOException {
        List<String> lines = new ArrayList<>();
        byToken.forEach((t, u) -> {
            List<String> explicit = u.groups().stream().filter(g -> !implicit(u.name(), g)).toList();
            lines.add(t + "," + u.name() + "," + u.uid() + (explicit.isEmpty() ? "" : ",\"" + String.join(",", explicit) + "\""));
        });
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, new byte[0]); // private before the tokens go in
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system
        }
        Files.write(tmp, lines);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        lastModified = Files.getLastModifiedTime(file).toMillis();
    }

    private static boolean implicit(String user, String group) {
        return group.equals(User.AUTHENTICATED) || (user.startsWith(User.SERVICE_ACCOUNT_PREFIX) && group.startsWith("system:serviceaccounts"));
    }

    /** The first token of {@code user}, adding one in {@code groups} (persisted) when the user has none. */
    public synchronized String ensure(String user, List<String> groups) throws IOException {
        Optional<String> existing = tokenFor(user);
        return existing.isPresent() ? existing.get() : add(user, groups);
    }

    /** The first token of {@code user}, if any. */
    public Optional<String> tokenFor(String user) {
        return byToken.entrySet().stream().filter(e -> e.getValue().name().equals(user)).map(Map.Entry::getKey).findFirst();
    }

    /** The user holding {@code token}, compared in constant time. */
    public Optional<User> authenticate(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        Optional<User> user = find(token);
        if (user.isPresent()) return user;
        try {
            reloadIfChanged();
        } catch (IOException e) {
            return Optional.empty();
        }
        return find(token);
    }

    private Optional<User> find(String token) {
        for (var e : byToken.entrySet()) {
            if (MessageDigest.isEqual(e.getKey().getBytes(), token.getBytes())) return Optional.of(e.getValue());
        }
        return Optional.empty();
    }
}
