package io.jvirt.apiserver.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Static bearer tokens, one {@code token,user,role} line each, in a 0600 file (the format of
 * kube-apiserver's --token-auth-file plus a role column). Thread-safe; lookups are constant-time
 * in the token's content.
 */
public final class TokenFile {
    private final Path file;
    private final Map<String, User> byToken = new ConcurrentHashMap<>();
    private long lastModified = -1;

    private TokenFile(Path file) {
        this.file = file;
    }

    /** Loads {@code file}, creating it with one admin token when it does not exist. */
    public static TokenFile ensure(Path file) throws IOException {
        TokenFile tokens = new TokenFile(file);
        tokens.reloadIfChanged();
        if (tokens.tokenFor("admin").isEmpty()) tokens.add("admin", Role.ADMIN);
        return tokens;
    }

    /**
     * Reads the file again when it changed since the last read, so tokens added from outside (for example
     * by {@code ./jvirt kubeconfig USER ROLE}) work without a restart. Lines that do not parse are skipped.
     */
    private synchronized void reloadIfChanged() throws IOException {
        if (!Files.exists(file)) return;
        long modified = Files.getLastModifiedTime(file).toMillis();
        if (modified == lastModified) return;
        lastModified = modified;
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split(",");
            if (f.length != 3 || f[0].isEmpty()) continue;
            try {
                byToken.put(f[0], new User(f[1], Role.valueOf(f[2].toUpperCase())));
            } catch (IllegalArgumentException unknownRole) {
                System.err.println("jvirt-apiserver: " + file + ": unknown role " + f[2] + " for user " + f[1] + " (admin, edit or view)");
            }
        }
    }

    /** Adds a new random token for {@code user} and persists the file; returns the token. */
    public synchronized String add(String user, Role role) throws IOException {
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        byToken.put(token, new User(user, role));
        List<String> lines = new ArrayList<>();
        byToken.forEach((t, u) -> lines.add(t + "," + u.name() + "," + u.role().name().toLowerCase()));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, new byte[0]); // private before the tokens go in
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system
        }
        Files.write(tmp, lines);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return token;
    }

    /** The first token of {@code user}, adding one with {@code role} (persisted) when the user has none. */
    public synchronized String ensure(String user, Role role) throws IOException {
        Optional<String> existing = tokenFor(user);
        return existing.isPresent() ? existing.get() : add(user, role);
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
