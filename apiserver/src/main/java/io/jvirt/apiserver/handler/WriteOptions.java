package io.jvirt.apiserver.handler;

import java.util.List;

/**
 * Query options of a write: {@code dryRun=All}, {@code fieldManager}, {@code fieldValidation}
 * (Strict, Warn or Ignore; the apiserver's default is Warn), the caller's name and groups (none for the
 * server's own writes) and {@code force} (server-side apply takes fields other managers own).
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userName, List<String> userGroups,
                           boolean force) {
    public WriteOptions {
        userGroups = userGroups == null ? List.of() : List.copyOf(userGroups);
    }

    /** Options without force. */
    public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userName, List<String> userGroups) {
        this(dryRun, fieldManager, fieldValidation, userName, userGroups, false);
    }

    /** Options of a caller known by name only (no groups). */
    public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userName) {
        this(dryRun, fieldManager, fieldValidation, userName, List.of());
    }

    public static WriteOptions internal(String manager) {
        return new WriteOptions(false, manager, "Ignore", "system:" + manager);
    }
}
