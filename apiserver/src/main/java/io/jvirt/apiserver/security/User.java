package io.jvirt.apiserver.security;

/** An authenticated caller. */
public record User(String name, Role role) {}
