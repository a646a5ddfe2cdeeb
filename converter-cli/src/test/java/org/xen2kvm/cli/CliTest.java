package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.testutil.StrictJson;
import picocli.CommandLine;

/** The CLI in-process: exit codes, messages and output shapes. */
class CliTest {
    record Run(int exit, String out, String err) {
    }

    /** Runs {@code args} as Main does: the command line is built for them. */
    static Run run(String... args) {
        CommandLine cl = Xen2KvmCommand.newCommandLine(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static String fixture(String name) throws URISyntaxException {
        return Path.of(CliTest.class.getResource(name).toURI()).toString();
    }

    @Test
    void versionAndHelp() {
        Run v = run("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("xen2kvm "), v.out());
        Run h = run("--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("inspect") && h.out().contains("convert"), h.out());
        assertTrue(h.out().contains("Exit codes"), h.out());
    }

    @Test
    void bothConvertCommandsShareTheDiskWriteOptions() {
        DiskConvertCommand disk = new DiskConvertCommand();
        new CommandLine(disk).parseArgs("a.raw", "b.qcow2", "-O", "qcow2", "--page-cache", "--compress", "--force");
        assertEquals(new org.xen2kvm.image.write.CopyOptions(true, true, false), disk.write.copyOptions());
        ConvertCommand convert = new ConvertCommand();
        new CommandLine(convert).parseArgs("guest.cfg", "--allow-backing");
        assertEquals(new org.xen2kvm.image.write.CopyOptions(false, false, true), convert.write.copyOptions());
        assertTrue(convert.write.allowBacking);
        for (String cmd : List.of("convert", "disk")) {
            Run help = cmd.equals("disk") ? run("disk", "convert", "--help") : run("convert", "--help");
            assertTrue(help.out().contains("--page-cache") && help.out().contains("--compress")
                    && help.out().contains("--allow-backing"), help.out());
        }
    }

    @Test
    void theCommandLineIsBuiltForTheSubcommandTheArgumentsRun() {
        assertEquals("disk", Xen2KvmCommand.subcommandOf("disk", "convert", "a", "b", "-O", "raw"));
        assertEquals("inspect", Xen2KvmCommand.subcommandOf("-v", "inspect", "x.cfg"));
        assertEquals(null, Xen2KvmCommand.subcommandOf("help", "disk"));
        assertEquals(null, Xen2KvmCommand.subcommandOf("--help"));
        assertEquals(null, Xen2KvmCommand.subcommandOf("dsik"));
        assertEquals(List.of("disk"), List.copyOf(Xen2KvmCommand.newCommandLine("disk", "info", "x").getSubcommands().keySet()));
        assertEquals(List.of("inspect", "convert", "disk", "plan", "help"),
                List.copyOf(Xen2KvmCommand.newCommandLine("--help").getSubcommands().keySet()));

        Run help = run("help", "disk");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Usage: xen2kvm disk"), help.out());
        Run typo = run("dsik");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("Unmatched argument at index 0: 'dsik'") && typo.err().contains("  disk "),
                typo.err());
        Run sub = run("-q", "disk", "--help");
        assertEquals(0, sub.exit(), sub.err());
        assertTrue(sub.out().contains("convert") && sub.out().contains("info"), sub.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectConfigOnlyJsonGivesTheSourceObject() throws Exception {
        Run r = run("inspect", "--config-only", "--json", fixture("web1.cfg"));
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> top = (Map<String, Object>) StrictJson.parse(r.out());
        Map<String, Object> src = (Map<String, Object>) top.get("source");
        assertEquals("web1", src.get("name"));
        assertEquals("pv", src.get("virtType"));
        assertEquals(512L, src.get("memoryMiB"));
        assertEquals(2L, src.get("vcpus"));
        assertEquals("root=/dev/xvda2 ro elevator=noop console=hvc0", src.get("cmdline"));
        List<Map<String, Object>> disks = (List<Map<String, Object>>) src.get("disks");
        assertEquals("xvda2", disks.get(0).get("vdev"));
        assertEquals("raw", disks.get(0).get("format"));
        List<Map<String, Object>> nics = (List<Map<String, Object>>) src.get("nics");
        assertEquals("00:16:3e:00:00:0a", nics.get(0).get("mac"));
        assertEquals(List.of(), top.get("warnings"));
    }

    @Test
    void badConfigGivesOneLineNamingFileAndLine() throws Exception {
        String f = fixture("broken-fail.cfg");
        Run r = run("inspect", "--config-only", f);
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("xen2kvm: " + f + ":4:"), lines[0]);
    }

    @Test
    void missingFileAndBadOptionsAreBadInput(@TempDir Path dir) {
        Run r = run("inspect", "--config-only", dir.resolve("nope.cfg").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nope.cfg"), r.err());
        Run o = run("convert", "x.cfg", "--output-format", "vmdk");
        assertEquals(2, o.exit());
        assertEquals("xen2kvm: --output-format vmdk: expected qcow2 or raw", o.err().strip());
        Run u = run("convert");
        assertEquals(2, u.exit());
    }

    @Test
    void dryRunShowsThePlanAndWritesNothing(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("kvm");
        Run r = run("convert", fixture("web1.cfg"), "--dry-run", "--output-dir", out.toString(),
                "--bridge", "xenbr0=br0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("xvda2    -> vda   (virtio)  partition given as a whole disk: the guest's /dev/xvda2 is now /dev/vda"), r.out());
        assertTrue(r.out().contains("cmdline root=/dev/vda ro elevator=noop console=tty0 console=ttyS0,115200"), r.out());
        assertTrue(r.out().contains("<source bridge=\"br0\"/>"), r.out());
        assertTrue(r.out().contains("not readable here"), r.out());
        assertTrue(!Files.exists(out), "dry run created " + out);
    }

    @Test
    @SuppressWarnings("unchecked")
    void dryRunJsonIsOneObject(@TempDir Path dir) throws Exception {
        Run r = run("convert", fixture("web1.cfg"), "--dry-run", "--json", "-o", dir.toString(), "--domain-type", "qemu");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> top = (Map<String, Object>) StrictJson.parse(r.out());
        assertEquals(true, top.get("dryRun"));
        assertEquals("qemu", ((Map<String, Object>) top.get("target")).get("domainType"));
        List<Map<String, Object>> map = (List<Map<String, Object>>) top.get("deviceMap");
        assertEquals("/dev/vdb", map.get(1).get("guestPath"));
        assertTrue(((String) top.get("domainXml")).startsWith("<domain type=\"qemu\">"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectNamesTheDistributionInTextAndJson(@TempDir Path work) throws Exception {
        org.xen2kvm.testutil.ExternalTool.require("bash", "mkfs.ext4", "mkswap");
        Path script = org.xen2kvm.testutil.ExternalTool.projectRoot().resolve("testdata/examples/make-example.sh");
        org.xen2kvm.testutil.ExternalTool.Result made = org.xen2kvm.testutil.ExternalTool.run(
                List.of("bash", script.toString(), work.resolve("demo").toString()));
        assertEquals(0, made.exitCode(), made.output());
        String demo = made.output().strip();
        Run text = run("inspect", demo);
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("\n  os      Debian GNU/Linux 12 (bookworm)\n"
                + "  distro  debian 12 (debian family, from /etc/os-release)\n"), text.out());
        Run json = run("inspect", "--json", demo);
        assertEquals(0, json.exit(), json.err());
        Map<String, Object> guest = (Map<String, Object>) ((Map<String, Object>) StrictJson.parse(json.out())).get("guest");
        assertEquals(List.of("os", "osId", "osVersion", "osFamily", "osReleaseFile", "packageManager"),
                guest.keySet().stream().limit(6).toList(), "new keys follow the old ones, which keep their order");
        assertEquals("debian", guest.get("osFamily"));
        assertEquals("/etc/os-release", guest.get("osReleaseFile"));
        assertEquals(null, guest.get("packageManager"), "the demo guest has no dpkg database");
    }
}
