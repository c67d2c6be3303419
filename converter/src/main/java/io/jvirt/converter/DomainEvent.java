package io.jvirt.converter;

import java.time.Instant;

/**
 * A state change of the domain, as reported to the node agent.
 *
 * @param state the new state
 * @param reason why, in words (e.g. {@code guest shutdown}, {@code qemu killed by signal 9})
 * @param at when the launcher saw it
 */
public record DomainEvent(DomainState state, String reason, Instant at) {}
