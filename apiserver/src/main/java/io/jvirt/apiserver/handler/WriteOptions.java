package io.jvirt.apiserver.handler;

/**
 * Query options of a write: {@code dryRun=All}, {@code fieldManager}, {@code fieldValidation}
 * (Strict, Warn or Ignore; the apiserver's default is Warn) and the caller's name.
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, String userName) {
    public static WriteOptions internal(String manager) {
        return new WriteOptions(false, manager, "Ignore", "system:" + manager);
    }
}
