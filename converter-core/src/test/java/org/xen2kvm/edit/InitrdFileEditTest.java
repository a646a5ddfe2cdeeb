package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.GuestTrees;
import org.xen2kvm.plan.KernelCmdlineTest;

/**
 * {@link InitrdFileEdit} over gzip newc initrds written, and read back, by commons-compress and
 * java.util.zip (independent of our initramfs reader and writer): the file is rewritten, with its
 * mode, in each initrd that has it, the other files and initrds stay as they were, the initrd keeps
 * its own mode, and a second run changes nothing.
 */
class InitrdFileEditTest {
    private static final String XVD_ONLY = "devices {\n    filter = [ \"a|^/dev/xvd.*|\", \"r|.*|\" ]\n}\n";
    private static final Function<String, Optional<String>> ACCEPT_VD = text -> text.contains("\"a|^/dev/vd.*|\"")
            ? Optional.empty() : Optional.of(text.replace("\"a|^/dev/xvd.*|\",", "\"a|^/dev/xvd.*|\", \"a|^/dev/vd.*|\","));

    /** A gzip newc initrd as commons-compress and java.util.zip write it (independent of our reader). */
    private static byte[] initrd(String lvmConf) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioArchiveOutputStream c = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
            put(c, "init", "#!/bin/sh\n");
            if (lvmConf != null) {
                put(c, "etc/lvm/lvm.conf", lvmConf);
            }
        }
        return GuestTrees.gzip(out.toByteArray());
    }

    private static void put(CpioArchiveOutputStream c, String name, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, data.length);
        e.setMode(CpioConstants.C_ISREG | 0640);
        c.putArchiveEntry(e);
        c.write(data);
        c.closeArchiveEntry();
    }

    /** The files of a gzip newc image, read back by commons-compress: name to mode and text. */
    private static Map<String, String> files(byte[] gzipped) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(
                new GZIPInputStream(new ByteArrayInputStream(gzipped)))) {
            CpioArchiveEntry e;
            while ((e = in.getNextCPIOEntry()) != null) {
                if (e.isRegularFile()) {
                    m.put(e.getName(), Long.toOctalString(e.getMode() & 07777) + " "
                            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return m;
    }

    @Test
    void rewritesTheFileInEveryInitrdThatHasItAndNothingElse() throws Exception {
        MemoryFileSystem fs = GuestTrees.debianXenTools();
        fs.delete("/boot/initrd.img-6.1.0-18-amd64");
        fs.writeFile("/boot/initrd.img-6.1.0-18-amd64", initrd(XVD_ONLY), 0600, 0, 0);
        byte[] without = initrd(null);
        fs.writeFile("/boot/initrd.img-6.1.0-9-amd64", without, 0644, 0, 0);
        ConversionContext ctx = new ConversionContext(KernelCmdlineTest.map("xvda2", "xvda1"),
                GuestInspector.inspect(fs), false, Map.of(), List.of(), "ttyS0");
        InitrdFileEdit edit = new InitrdFileEdit("initramfs-lvm", "etc/lvm/lvm.conf", ACCEPT_VD);
        byte[] before = fs.readFile("/boot/initrd.img-6.1.0-18-amd64", 1 << 20);
        assertEquals(List.of(), edit.apply(fs, ctx), "a guest without /etc/lvm/lvm.conf has no copy to fix");
        assertArrayEquals(before, fs.readFile("/boot/initrd.img-6.1.0-18-amd64", 1 << 20));

        fs.mkdirs("/etc/lvm");
        fs.writeText("/etc/lvm/lvm.conf", XVD_ONLY);
        List<String> notes = edit.apply(fs, ctx);
        assertEquals(List.of("/boot/initrd.img-6.1.0-18-amd64: etc/lvm/lvm.conf rewritten inside the initramfs"), notes);
        byte[] after = fs.readFile("/boot/initrd.img-6.1.0-18-amd64", 1 << 20);
        assertEquals(Map.of("init", "640 #!/bin/sh\n", "etc/lvm/lvm.conf", "640 " + ACCEPT_VD.apply(XVD_ONLY).orElseThrow()),
                files(after));
        assertEquals(0600, fs.stat("/boot/initrd.img-6.1.0-18-amd64").orElseThrow().mode() & 07777);
        assertArrayEquals(without, fs.readFile("/boot/initrd.img-6.1.0-9-amd64", 1 << 20));

        assertEquals(List.of(), edit.apply(fs, ctx), "a second run changed something");
        assertArrayEquals(after, fs.readFile("/boot/initrd.img-6.1.0-18-amd64", 1 << 20));
    }
}
