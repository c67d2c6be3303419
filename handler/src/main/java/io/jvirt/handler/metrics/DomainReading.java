package io.jvirt.handler.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one scrape reads of one VMI's QEMU: the process' CPU time and resident memory from /proc, each vCPU's
 * CPU time (QMP {@code query-cpus-fast} names the vCPU threads, /proc times them), the guest's memory
 * ({@code query-memory-size-summary}) and each drive's I/O counters ({@code query-blockstats}; the drive is the
 * VMI's disk name, from the {@code ua-<disk>} device id jvirt gives QEMU). A part that cannot be read (QEMU gone
 * or its monitor busy) is left out, never reported as zero.
 */
record DomainReading(Optional<ProcStats.CpuTime> cpu, OptionalLong residentBytes, OptionalLong domainBytes, List<Vcpu> vcpus,
                     List<Drive> drives) {
    private static final System.Logger LOG = System.getLogger(DomainReading.class.getName());
    private static final Pattern DRIVE = Pattern.compile("/ua-([^/]+)");

    /** One vCPU's CPU time. */
    record Vcpu(int id, ProcStats.CpuTime time) {}

    /** One drive's counters as QEMU keeps them (times in nanoseconds). */
    record Drive(String name, long readBytes, long writtenBytes, long readOps, long writeOps, long readNanos, long writeNanos,
                 long flushOps, long flushNanos) {}

    static DomainReading read(DomainStatsSource.Domain d, ProcStats proc) throws InterruptedException {
        List<Vcpu> vcpus = new ArrayList<>();
        for (JsonNode cpu : query(d, "query-cpus-fast")) {
            proc.thread(d.qemuPid(), cpu.path("thread-id").asLong()).ifPresent(t -> vcpus.add(new Vcpu(cpu.path("cpu-index").asInt(), t)));
        }
        JsonNode memory = query(d, "query-memory-size-summary");
        OptionalLong domainBytes = memory.has("base-memory")
                ? OptionalLong.of(memory.path("base-memory").asLong() + memory.path("plugged-memory").asLong()) : OptionalLong.empty();
        return new DomainReading(proc.process(d.qemuPid()), proc.residentBytes(d.qemuPid()), domainBytes, vcpus, drives(query(d, "query-blockstats")));
    }

    /** The drives of a {@code query-blockstats} answer that belong to one of the VMI's disks. */
    static List<Drive> drives(JsonNode blockstats) {
        List<Drive> out = new ArrayList<>();
        for (JsonNode b : blockstats) {
            Matcher m = DRIVE.matcher(b.path("qdev").asText(""));
            if (!m.find()) continue;
            JsonNode s = b.path("stats");
            out.add(new Drive(m.group(1), s.path("rd_bytes").asLong(), s.path("wr_bytes").asLong(), s.path("rd_operations").asLong(),
                    s.path("wr_operations").asLong(), s.path("rd_total_time_ns").asLong(), s.path("wr_total_time_ns").asLong(),
                    s.path("flush_operations").asLong(), s.path("flush_total_time_ns").asLong()));
        }
        return out;
    }

    private static JsonNode query(DomainStatsSource.Domain d, String command) throws InterruptedException {
        try {
            JsonNode r = d.qmp().query(command);
            return r == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : r;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "VMI " + d.namespace() + "/" + d.name() + ": " + command + ": " + e.getMessage());
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
