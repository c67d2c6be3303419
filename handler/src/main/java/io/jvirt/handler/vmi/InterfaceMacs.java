package io.jvirt.handler.vmi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the guest MAC of each interface from the launcher's QEMU argv (pure): a {@code -device}
 * value carrying {@code id=ua-<interface name>} and {@code mac=<address>}.
 */
public final class InterfaceMacs {
    private static final Pattern ID = Pattern.compile("(?:^|,)id=ua-([^,]+)");
    private static final Pattern MAC = Pattern.compile("(?:^|,)mac=([0-9a-fA-F:]{17})");

    private InterfaceMacs() {}

    public static Map<String, String> fromArgv(List<String> argv) {
        Map<String, String> macs = new LinkedHashMap<>();
        for (String arg : argv) {
            Matcher id = ID.matcher(arg);
            Matcher mac = MAC.matcher(arg);
            if (id.find() && mac.find()) {
                macs.put(id.group(1), mac.group(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return macs;
    }
}
