package org.xen2kvm.fs.ext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;

/**
 * Random create/overwrite/chmod/delete/mkdir/symlink sequences (fixed seeds) checked against an
 * in-memory model and e2fsck after every sequence. 6 variants x 6 sequences x 40 ops = 1440 attempted operations;
 * at least 100 per variant must really change the filesystem.
 */
class ExtRandomOpsTest {
    static final int SEQUENCES = 6;
    static final int OPS_PER_SEQUENCE = 40;

    @TempDir
    static Path work;

    @BeforeAll
    static void tools() {
        ExtImages.requireTools();
    }

    /** A node of the model: content for files, target for symlinks, null for directories. */
    record Node(FileType type, byte[] data, String target, int mode) {
    }

    static List<Object[]> cases() {
        List<ExtImages.Variant> vs = List.of(ExtImages.EXT4_4K, ExtImages.EXT4_1K, ExtImages.EXT4_NOCSUM,
                ExtImages.EXT4_NOEXTENT, ExtImages.EXT3, ExtImages.EXT2_1K);
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < vs.size(); i++) {
            out.add(new Object[] {vs.get(i), 1000L + i});
        }
        return out;
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void randomOperationsMatchModel(ExtImages.Variant v, long seed) throws Exception {
        System.out.println("ExtRandomOpsTest: variant " + v + " seed " + seed);
        Path img = ExtImages.mkfs(v, work, null);
        Random rnd = new Random(seed);
        Map<String, Node> model = new TreeMap<>();
        int effective = 0;
        model.put("/lost+found", new Node(FileType.DIRECTORY, null, null, 0700));
        for (int seq = 0; seq < SEQUENCES; seq++) {
            List<String> log = new ArrayList<>();
            try (RawFileDevice dev = RawFileDevice.openWritable(img); ExtFileSystem fs = ExtFileSystem.open(dev, true)) {
                for (int op = 0; op < OPS_PER_SEQUENCE; op++) {
                    String done = step(fs, model, rnd);
                    log.add(done);
                    if (!done.startsWith("skip") && !done.startsWith("no")) {
                        effective++;
                    }
                }
            }
            String context = v + " seed " + seed + " sequence " + seq + " ops " + log;
            ExtImages.Result fsck = ExtImages.run("e2fsck", "-fn", img.toString());
            assertEquals(0, fsck.exit(), context + "\n" + fsck.out());
            try (RawFileDevice dev = RawFileDevice.openReadOnly(img); ExtFileSystem fs = ExtFileSystem.open(dev, false)) {
                check(fs, model, context);
            }
        }
        System.out.println("ExtRandomOpsTest: " + v + " performed " + effective + " operations, " + model.size() + " paths at the end");
        org.junit.jupiter.api.Assertions.assertTrue(effective >= 100, "only " + effective + " effective operations");
        // A sample of files also reads back through debugfs.
        for (Map.Entry<String, Node> e : model.entrySet()) {
            if (e.getValue().type() == FileType.REGULAR && rnd.nextInt(4) == 0) {
                assertArrayEquals(e.getValue().data(), ExtImages.debugfsCat(img, e.getKey()), e.getKey());
            }
        }
    }

    private static List<String> paths(Map<String, Node> model, FileType type) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Node> e : model.entrySet()) {
            if (e.getValue().type() == type) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    private static String parentOf(String p) {
        int i = p.lastIndexOf('/');
        return i == 0 ? "/" : p.substring(0, i);
    }

    private static boolean hasChildren(Map<String, Node> model, String dir) {
        String prefix = dir + "/";
        for (String k : model.keySet()) {
            if (k.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] randomData(Random rnd) {
        int kind = rnd.nextInt(10);
        int size = kind < 2 ? 0 : kind < 6 ? rnd.nextInt(200) : kind < 9 ? rnd.nextInt(40_000) : rnd.nextInt(400_000);
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        return b;
    }

    private static String step(ExtFileSystem fs, Map<String, Node> model, Random rnd) throws Exception {
        List<String> dirs = paths(model, FileType.DIRECTORY);
        dirs.add("/");
        String dir = dirs.get(rnd.nextInt(dirs.size()));
        String path = (dir.equals("/") ? "" : dir) + "/n" + rnd.nextInt(40);
        int choice = rnd.nextInt(100);
        Node existing = model.get(path);
        if (choice < 40) {
            byte[] data = randomData(rnd);
            if (existing != null && existing.type() != FileType.REGULAR) {
                return "skip-create " + path;
            }
            int mode = existing != null ? existing.mode() : 0600 + rnd.nextInt(0200);
            fs.writeFile(path, data, mode, 0, 0);
            model.put(path, new Node(FileType.REGULAR, data, null, mode));
            return (existing == null ? "create " : "overwrite ") + path + " " + data.length;
        } else if (choice < 45) {
            List<String> targets = new ArrayList<>(paths(model, FileType.REGULAR));
            targets.addAll(paths(model, FileType.DIRECTORY));
            targets.remove("/lost+found");
            if (targets.isEmpty()) {
                return "no-chmod";
            }
            String t = targets.get(rnd.nextInt(targets.size()));
            int mode = (model.get(t).type() == FileType.DIRECTORY ? 0700 : 0) | rnd.nextInt(010000);
            fs.chmod(t, mode);
            Node old = model.get(t);
            model.put(t, new Node(old.type(), old.data(), old.target(), mode));
            return "chmod " + t + " " + Integer.toOctalString(mode);
        } else if (choice < 55) {
            List<String> files = paths(model, FileType.REGULAR);
            if (files.isEmpty()) {
                return "no-file";
            }
            String f = files.get(rnd.nextInt(files.size()));
            byte[] data = randomData(rnd);
            fs.writeFile(f, data, 0644, 0, 0);
            model.put(f, new Node(FileType.REGULAR, data, null, model.get(f).mode()));
            return "overwrite " + f + " " + data.length;
        } else if (choice < 75) {
            List<String> all = new ArrayList<>(model.keySet());
            all.remove("/lost+found");
            if (all.isEmpty()) {
                return "nothing-to-delete";
            }
            String victim = all.get(rnd.nextInt(all.size()));
            if (model.get(victim).type() == FileType.DIRECTORY && hasChildren(model, victim)) {
                return "skip-delete-nonempty " + victim;
            }
            fs.delete(victim);
            model.remove(victim);
            return "delete " + victim;
        } else if (choice < 88) {
            if (existing != null) {
                return "skip-mkdir " + path;
            }
            int mode = 0700 + rnd.nextInt(077);
            fs.mkdir(path, mode, 0, 0);
            model.put(path, new Node(FileType.DIRECTORY, null, null, mode));
            return "mkdir " + path;
        } else {
            if (existing != null) {
                return "skip-symlink " + path;
            }
            String target = rnd.nextBoolean() ? "t" + rnd.nextInt(1000) : "/some/" + "long".repeat(5 + rnd.nextInt(60));
            fs.symlink(path, target);
            model.put(path, new Node(FileType.SYMLINK, null, target, 0777));
            return "symlink " + path + " " + target.length();
        }
    }

    private static void check(ExtFileSystem fs, Map<String, Node> model, String context) throws Exception {
        List<String> rootNames = new ArrayList<>();
        for (String k : model.keySet()) {
            if (parentOf(k).equals("/")) {
                rootNames.add(k.substring(1));
            }
        }
        assertEquals(rootNames, fs.list("/"), context);
        for (Map.Entry<String, Node> e : model.entrySet()) {
            String p = e.getKey();
            Node n = e.getValue();
            FileInfo info = fs.lstat(p).orElseThrow(() -> new AssertionError(context + ": missing " + p));
            assertEquals(n.type(), info.type(), context + " " + p);
            assertEquals(n.mode(), info.mode(), context + " mode " + p);
            switch (n.type()) {
                case REGULAR -> assertArrayEquals(n.data(), fs.readFile(p, 1 << 24), context + " " + p);
                case SYMLINK -> assertEquals(n.target(), fs.readlink(p), context + " " + p);
                default -> {
                    List<String> kids = new ArrayList<>();
                    for (String k : model.keySet()) {
                        if (parentOf(k).equals(p)) {
                            kids.add(k.substring(p.length() + 1));
                        }
                    }
                    assertEquals(kids, fs.list(p), context + " " + p);
                }
            }
        }
    }
}
