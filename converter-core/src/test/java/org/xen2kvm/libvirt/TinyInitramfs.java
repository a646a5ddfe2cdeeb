package org.xen2kvm.libvirt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Builds, at test time, an initramfs (cpio "newc", as the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst requires) holding a static
 * busybox and an /init that behaves like a getty on the serial console: it prints
 * {@link #PROMPT} and reads a line: "root" starts an interactive shell (prompt "# ") and
 * prompts again when it exits, "poweroff" powers off, anything else is echoed back as
 * "echo:LINE".
 */
final class TinyInitramfs {
    static final String PROMPT = "xen2kvm-guest login: ";
    static final String BANNER = "xen2kvm tiny init running";

    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;
    /** /dev/console is char device 5:1 (Documentation/admin-guide/devices.txt). */
    private static final int CONSOLE_MAJOR = 5;
    private static final int CONSOLE_MINOR = 1;

    static final String INIT = "#!/bin/busybox sh\n"
            + "/bin/busybox --install -s /bin\n"
            + "export PATH=/bin\n"
            + "echo '" + BANNER + "'\n"
            + "while true; do\n"
            + "  printf '\\n" + PROMPT + "'\n"
            + "  read -r line || poweroff -f\n"
            + "  case \"$line\" in\n"
            + "    root) PS1='# ' sh ;;\n"
            + "    poweroff) echo \"echo:$line\"; poweroff -f ;;\n"
            + "    *) echo \"echo:$line\" ;;\n"
            + "  esac\n"
            + "done\n";

    private TinyInitramfs() {
    }

    static void write(Path busybox, Path target) throws IOException {
        byte[] busyboxBytes = Files.readAllBytes(busybox);
        try (OutputStream file = Files.newOutputStream(target);
                CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(file, CpioConstants.FORMAT_NEW)) {
            directory(cpio, "bin");
            directory(cpio, "dev");
            CpioArchiveEntry console = entry("dev/console", S_IFCHR | 0600, 0);
            console.setRemoteDeviceMaj(CONSOLE_MAJOR);
            console.setRemoteDeviceMin(CONSOLE_MINOR);
            cpio.putArchiveEntry(console);
            cpio.closeArchiveEntry();
            file(cpio, "bin/busybox", 0755, busyboxBytes);
            file(cpio, "init", 0755, INIT.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void directory(CpioArchiveOutputStream cpio, String name) throws IOException {
        CpioArchiveEntry e = entry(name, S_IFDIR | 0755, 0);
        e.setNumberOfLinks(2);
        cpio.putArchiveEntry(e);
        cpio.closeArchiveEntry();
    }

    private static void file(CpioArchiveOutputStream cpio, String name, int permissions, byte[] data)
            throws IOException {
        cpio.putArchiveEntry(entry(name, S_IFREG | permissions, data.length));
        cpio.write(data);
        cpio.closeArchiveEntry();
    }

    private static CpioArchiveEntry entry(String name, int mode, long size) {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, size);
        e.setMode(mode);
        e.setNumberOfLinks(1);
        e.setTime(0);
        return e;
    }
}
