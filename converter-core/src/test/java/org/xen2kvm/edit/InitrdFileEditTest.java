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
 * {@link InitrdFileEdit} over plain newc initrds read and written by commons-compress (an
 * implementation independent of ours, standing in for the initramfs package until it is wired):
 * the file is rewritten in each initrd that has it, the others stay byte for byte, the initrd
 * keeps its mode, and a second run changes nothing.
 */
class InitrdFileEditTest {
    private static final String XVD_ONLY = "devices {\n    filter = [ \"a|^/dev/xvd.*|\", \"r|.*|\" ]\n}\n";
    private static final Function<String, Optional<String>> ACCEPT_VD = text -> text.contains("\"a|^/dev/vd.*|\"")
            ? Optional.empty() : Optional.of(text.replace("\"a|^/dev/xvd.*|\",", "\"a|^/dev/xvd.*|\", \"a|^/dev/vd.*|\","));

    /** A newc image in memory, as commons-compress reads and writes it. */
    static final class CommonsCpio implements InitrdFileEdit.Initramfs {
        private final Map<String, byte[]> files = new LinkedHashMap<>();

        CommonsCpio(byte[] image) throws IOException {
            try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(image))) {
                CpioArchiveEntry e;
                while ((e = in.getNextCPIOEntry()) != null) {
                    files.put(e.getName(), in.readAllBytes());
                }
            }
        }

        @Override
        public Optional<byte[]> file(String path) {
            return Optional.ofNullable(files.get(path));
        }

        @Override
        public void replaceFile(String path, byte[] contents, int mode) {
            files.put(path, contents);
        }

        @Override
        public byte[] write() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (CpioArchiveOutputStream c = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, f.getKey(), f.getValue().length);
                    e.setMode(CpioConstants.C_ISREG | 0644);
                    c.putArchiveEntry(e);
                    c.write(f.getValue());
                    c.closeArchiveEntry();
                }
            }
            return out.toByteArray();
        }
    }

    private static byte[] initrd(String lvmConf) throws IOException {
        CommonsCpio c = new CommonsCpio(GuestTrees.cpio("init", "usr/lib/modules/6.1.0-18-amd64/modules.dep"));
        if (lvmConf != null) {
            c.replaceFile("etc/lvm/lvm.conf", lvmConf.getBytes(StandardCharsets.UTF_8), 0644);
        }
        return c.write();
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
        InitrdFileEdit edit = new InitrdFileEdit("initramfs-lvm", "etc/lvm/lvm.conf", ACCEPT_VD, (what, b) -> new CommonsCpio(b));

        List<String> notes = edit.apply(fs, ctx);
        assertEquals(List.of("/boot/initrd.img-6.1.0-18-amd64: etc/lvm/lvm.conf rewritten inside the initramfs"), notes);
        byte[] after = fs.readFile("/boot/initrd.img-6.1.0-18-amd64", 1 << 20);
        assertEquals(ACCEPT_VD.apply(XVD_ONLY).orElseThrow(),
                new String(new CommonsCpio(after).file("etc/lvm/lvm.conf").orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("contents of init", new String(new CommonsCpio(after).file("init").orElseThrow(),
                StandardCharsets.UTF_8));
        assertEquals(0600, fs.stat("/boot/initrd.img-6.1.0-18-amd64").orElseThrow().mode() & 07777);
        assertArrayEquals(without, fs.readFile("/boot/initrd.img-6.1.0-9-amd64", 1 << 20));

        assertEquals(List.of(), edit.apply(fs, ctx), "a second run changed something");
        assertArrayEquals(after, fs.readFile("/boot/initrd.img-6.1.0-18-amd64", 1 << 20));
    }
}
