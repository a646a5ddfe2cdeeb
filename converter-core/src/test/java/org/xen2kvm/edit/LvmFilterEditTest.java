package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xen2kvm.guest.GuestTrees;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The lvm.conf filter rewrite, on the variants Xen guests have. Every rewritten text is read
 * back by LVM itself ({@code lvmconfig --config TEXT}): it must be valid configuration and
 * the filter LVM parses must be the one expected.
 */
class LvmFilterEditTest {

    private static final String A = "\"" + LvmFilterEdit.ACCEPT_VIRTIO + "\"";

    /** What LVM reads as {@code devices/KEY} from the text ({@code filter=[...]}), after checking the text is valid. */
    private static String lvmReads(String text, String key) throws Exception {
        ExternalTool.Result valid = ExternalTool.run(List.of("lvmconfig", "--config", text, "--validate"));
        assertTrue(valid.output().contains("LVM configuration valid"), valid.output());
        ExternalTool.Result r = ExternalTool.run(List.of("lvmconfig", "--config", text, "devices/" + key));
        return r.output().lines().filter(l -> l.startsWith(key + "=")).findFirst().orElse("(none) " + r.output());
    }

    private static String rewritten(String text) {
        return LvmFilterEdit.rewrite(text).orElseThrow();
    }

    @Test
    void acceptOnlyXenDisksGetsVirtioBeforeTheFinalReject() throws Exception {
        String text = "devices {\n    dir = \"/dev\"\n    filter = [ \"a|^/dev/xvd.*|\", \"r/.*/\" ]\n}\n";
        String out = rewritten(text);
        assertEquals("devices {\n    dir = \"/dev\"\n    " + LvmFilterEdit.COMMENT + "\n    filter = [ \"a|^/dev/xvd.*|\", " + A
                + ", \"r/.*/\" ]\n}\n", out);
        assertEquals("filter=[\"a|^/dev/xvd.*|\",\"a|^/dev/vd.*|\",\"r/.*/\"]", lvmReads(out, "filter"));
        assertEquals(Optional.empty(), LvmFilterEdit.rewrite(out), "idempotent");
    }

    @Test
    void multiLineGlobalFilterKeepsItsLayout() throws Exception {
        String text = "devices {\n  global_filter = [ \"a|^/dev/xvd[a-z][0-9]*$|\",  # Xen disks\n"
                + "                    \"r|.*|\" ]\n  filter = [ \"a/.*/\" ]\n}\n";
        String out = rewritten(text);
        assertEquals("devices {\n  " + LvmFilterEdit.COMMENT + "\n  global_filter = [ \"a|^/dev/xvd[a-z][0-9]*$|\",  # Xen disks\n"
                + "                    " + A + ",\n                    \"r|.*|\" ]\n  filter = [ \"a/.*/\" ]\n}\n", out);
        assertEquals("global_filter=[\"a|^/dev/xvd[a-z][0-9]*$|\",\"a|^/dev/vd.*|\",\"r|.*|\"]", lvmReads(out, "global_filter"));
        assertEquals("filter=\"a/.*/\"", lvmReads(out, "filter"), "an accept-all filter is left alone");
    }

    @Test
    void aRuleRejectingVirtioDisksGetsTheAcceptInFront() throws Exception {
        String text = "devices {\n\tfilter = [ \"a|^/dev/xvd|\", \"r|^/dev/vd.*|\", \"a|.*|\" ]\n}\n";
        String out = rewritten(text);
        assertEquals("filter=[\"a|^/dev/xvd|\",\"a|^/dev/vd.*|\",\"r|^/dev/vd.*|\",\"a|.*|\"]", lvmReads(out, "filter"));
    }

    @Test
    void aSingleStringFilterBecomesAnArray() throws Exception {
        String out = rewritten("devices { filter = \"r|.*|\" }\n");
        assertEquals(LvmFilterEdit.COMMENT + "\ndevices { filter = [ " + A + ", \"r|.*|\" ] }\n", out);
        assertEquals("filter=[\"a|^/dev/vd.*|\",\"r|.*|\"]", lvmReads(out, "filter"));
    }

    @Test
    void nothingToDoWhenVirtioDisksPassAlready() {
        for (String text : List.of(
                "devices {\n    # filter = [ \"r|.*|\" ]\n}\n",
                "devices {\n    filter = [ \"a|.*|\" ]\n}\n",
                "devices {\n    filter = [ \"r|/dev/cdrom|\" ]\n    types = [ \"fd\", 16 ]\n}\n",
                "activation {\n    filter = [ \"r|.*|\" ]\n}\n",
                "devices {\n    filter = [ ]\n}\n",
                "")) {
            assertEquals(Optional.empty(), LvmFilterEdit.rewrite(text), text);
        }
    }

    @Test
    void flatKeysAndEscapedQuotesAreUnderstood() throws Exception {
        String out = rewritten("devices/filter = [ \"a|^/dev/xv\\\"d|\", \"r|.*|\" ]\n");
        assertTrue(out.contains("[ \"a|^/dev/xv\\\"d|\", " + A + ", \"r|.*|\" ]"), out);
    }

    @Test
    void patternsJavaCannotCompileCountAsMatching() throws Exception {
        String out = rewritten("devices {\n    filter = [ \"a|^/dev/xvd|\", \"r|[|\" ]\n}\n");
        assertTrue(out.contains("[ \"a|^/dev/xvd|\", " + A + ", \"r|[|\" ]"), out);
    }

    @Test
    void malformedConfigIsRefusedWithFileAndLine() {
        assertEquals("lvm.conf line 3: 'filter': array is not closed", assertThrows(LvmConfException.class,
                () -> LvmFilterEdit.rewrite("devices {\n\n    filter = [ \"r|.*|\"\n}\n")).getMessage());
        assertEquals("/etc/lvm/lvm.conf line 2: string is not closed on its line", assertThrows(LvmConfException.class,
                () -> LvmFilterEdit.rewrite("/etc/lvm/lvm.conf", "devices {\n filter = [ \"r|.*| ]\n}\n")).getMessage());
        assertEquals("lvm.conf line 3: section 'devices' is not closed", assertThrows(LvmConfException.class,
                () -> LvmFilterEdit.rewrite("devices {\n filter = [ \"r|.*|\" ]\n")).getMessage());
        assertEquals("lvm.conf line 2: 'filter' is '7', not a string or an array of strings", assertThrows(LvmConfException.class,
                () -> LvmFilterEdit.rewrite("devices {\n filter = 7\n}\n")).getMessage());
    }

    @Test
    void anUnreadableLvmConfIsAWarningAndStaysAsItIs() throws Exception {
        var fs = new org.xen2kvm.fs.MemoryFileSystem("bad-lvm").file("/etc/lvm/lvm.conf", "devices {\n");
        List<String> notes = new LvmFilterEdit().apply(fs, RhelFamilyEditsTest.ctx(fs, org.xen2kvm.plan.KernelCmdlineTest.map("xvda")));
        assertEquals(List.of("warning: /etc/lvm/lvm.conf line 2: section 'devices' is not closed; left unchanged: if its"
                + " filter rejects /dev/vd*, LVM will not find the volume groups on KVM"), notes);
        assertEquals("devices {\n", fs.readText("/etc/lvm/lvm.conf"));
    }

    @Test
    void fixtureConfigsAreReadByLvmAfterTheRewrite() throws Exception {
        for (String guest : List.of("rhel5", "rhel6")) {
            Path conf = GuestTrees.FIXTURES.resolve(guest + "/etc/lvm/lvm.conf");
            String out = rewritten(Files.readString(conf));
            String key = guest.equals("rhel5") ? "filter" : "global_filter";
            assertTrue(lvmReads(out, key).contains("\"a|^/dev/vd.*|\",\"r"), guest + ": " + lvmReads(out, key));
        }
    }
}
