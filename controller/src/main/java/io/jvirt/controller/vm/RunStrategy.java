package io.jvirt.controller.vm;

import io.jvirt.api.v1.VirtualMachineSpec;

/** {@code spec.runStrategy} of a VM; the legacy {@code spec.running} maps to Always (true) or Halted (false). */
public enum RunStrategy {
    ALWAYS("Always"), RERUN_ON_FAILURE("RerunOnFailure"), MANUAL("Manual"), HALTED("Halted"), ONCE("Once");

    private final String wire;

    RunStrategy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /**
     * The effective strategy of {@code spec}: runStrategy if set, else running, else Halted.
     *
     * @throws IllegalArgumentException for an unknown runStrategy (admission rejects those)
     */
    public static RunStrategy of(VirtualMachineSpec spec) {
        if (spec == null) return HALTED;
        if (spec.runStrategy() != null) return fromWire(spec.runStrategy());
        return Boolean.TRUE.equals(spec.running()) ? ALWAYS : HALTED;
    }

    public static RunStrategy fromWire(String s) {
        for (RunStrategy r : values()) {
            if (r.wire.equals(s)) return r;
        }
        throw new IllegalArgumentException("unknown runStrategy " + s);
    }
}
