package io.jvirt.converter;

import io.jvirt.api.v1.Clock;
import io.jvirt.api.v1.ClockOffsetUtc;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * {@code -rtc}: UTC unless {@code clock.timezone} names a zone, then the RTC runs in local time and
 * QEMU gets {@code TZ=<zone>}. A UTC offset other than 0 is refused (QEMU has no offset option).
 */
final class ClockConfigurator implements Configurator {
    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        Clock clock = context.domain().clock();
        if (clock == null || clock.timezone() == null) {
            requireNoOffset(clock == null ? null : clock.utc());
            qemu.rtc(QemuOpts.empty().with("base", "utc"));
            return;
        }
        if (clock.utc() != null) {
            throw new ConversionException("spec.domain.clock: utc and timezone are mutually exclusive");
        }
        try {
            ZoneId.of(clock.timezone());
        } catch (DateTimeException e) {
            throw new ConversionException("spec.domain.clock.timezone: unknown time zone '" + clock.timezone() + "'");
        }
        context.putEnvironment("TZ", clock.timezone());
        qemu.rtc(QemuOpts.empty().with("base", "localtime"));
    }

    private static void requireNoOffset(ClockOffsetUtc utc) {
        if (utc != null && utc.offsetSeconds() != null && utc.offsetSeconds() != 0) {
            throw new ConversionException("spec.domain.clock.utc.offsetSeconds: only 0 is supported, got " + utc.offsetSeconds());
        }
    }
}
