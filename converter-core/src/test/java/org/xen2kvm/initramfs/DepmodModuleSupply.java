package org.xen2kvm.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The tests' module supply: the modules of a Debian kernel package unpacked by
 * testdata/fetch-test-modules.sh, their order from the modules.dep the real depmod wrote, and
 * the indexes from the real depmod run on exactly the modules an image holds.
 */
final class DepmodModuleSupply implements ModuleSupply {
    /** What depmod writes that an initramfs carries. */
    static final List<String> INDEXES = List.of("modules.alias", "modules.alias.bin", "modules.builtin.alias.bin",
            "modules.builtin.bin", "modules.dep", "modules.dep.bin", "modules.devname", "modules.softdep", "modules.symbols",
            "modules.symbols.bin");
    private final Path root;
    private final String release;
    private final Map<String, List<String>> deps = new LinkedHashMap<>();
    private final Map<String, String> byName = new HashMap<>();

    DepmodModuleSupply(Path root, String release) throws IOException {
        this.root = root;
        this.release = release;
        for (String line : Files.readAllLines(dir().resolve("modules.dep"))) {
            int colon = line.indexOf(':');
            String rel = line.substring(0, colon);
            String rest = line.substring(colon + 1).trim();
            deps.put(rel, rest.isEmpty() ? List.of() : List.of(rest.split(" ")));
            byName.put(ModuleFile.nameOf(rel), rel);
        }
    }

    /** Runs testdata/fetch-test-modules.sh (cached) and opens what it unpacked. */
    static DepmodModuleSupply fetch() throws Exception {
        ExternalTool.require("sh", "dpkg-deb", "depmod");
        ExternalTool.Result r = ExternalTool.run(List.of("sh", ExternalTool.projectRoot().resolve("testdata/fetch-test-modules.sh")
                .toString()));
        ExternalTool.requireThat(r.exitCode() == 0, "testdata/fetch-test-modules.sh failed: " + r.output());
        String release = null;
        Path root = null;
        for (String line : r.output().split("\n")) {
            if (line.startsWith("release=")) {
                release = line.substring(8);
            } else if (line.startsWith("root=")) {
                root = Path.of(line.substring(5));
            }
        }
        return new DepmodModuleSupply(root, release);
    }

    String release() {
        return release;
    }

    Path dir() {
        return root.resolve("lib/modules").resolve(release);
    }

    ModuleFile module(String name) throws IOException {
        String rel = byName.get(ModuleFile.canonical(name));
        if (rel == null) {
            throw new IOException("module " + name + " is not in " + dir());
        }
        return new ModuleFile(ModuleFile.canonical(name), rel, Files.readAllBytes(dir().resolve(rel)));
    }

    @Override
    public List<ModuleFile> loadOrder(Collection<String> names) throws IOException {
        Set<String> order = new LinkedHashSet<>();
        for (String n : names) {
            String rel = byName.get(ModuleFile.canonical(n));
            if (rel == null) {
                throw new IOException("module " + n + " is not in " + dir());
            }
            visit(rel, order);
        }
        List<ModuleFile> out = new ArrayList<>();
        for (String rel : order) {
            out.add(new ModuleFile(ModuleFile.nameOf(rel), rel, Files.readAllBytes(dir().resolve(rel))));
        }
        return out;
    }

    private void visit(String rel, Set<String> order) {
        if (order.contains(rel)) {
            return;
        }
        for (String d : deps.getOrDefault(rel, List.of())) {
            visit(d, order);
        }
        order.add(rel);
    }

    @Override
    public Map<String, byte[]> indexFiles(List<ModuleFile> included) throws IOException {
        Path tmp = Files.createTempDirectory("xen2kvm-depmod");
        try {
            Path dir = Files.createDirectories(tmp.resolve("lib/modules").resolve(release));
            for (ModuleFile m : included) {
                Path f = dir.resolve(m.relativePath());
                Files.createDirectories(f.getParent());
                Files.write(f, m.data());
            }
            for (String keep : List.of("modules.builtin", "modules.builtin.modinfo", "modules.order")) {
                Files.copy(dir().resolve(keep), dir.resolve(keep));
            }
            ExternalTool.Result r = ExternalTool.run(List.of("depmod", "-b", tmp.toString(), release));
            if (r.exitCode() != 0) {
                throw new IOException("depmod failed: " + r.output());
            }
            Map<String, byte[]> out = new TreeMap<>();
            for (String name : INDEXES) {
                out.put(name, Files.readAllBytes(dir.resolve(name)));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
