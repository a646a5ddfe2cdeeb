package org.xen2kvm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A conversion host registering on a remote KVM host: the real launcher converts the pygrub
 * Debian guest with {@code --connect qemu+tcp://127.0.0.1/system --pool POOL}. Everything
 * goes over libvirt's remote protocol on TCP (test.sh starts libvirtd listening on the
 * loopback address, testdata/libvirtd-tcp.conf): the volumes are created in a directory pool
 * on the "remote" side and streamed sparsely, the domain names them, and the guest boots from
 * them to its login prompt. The volumes equal a local conversion of the same guest, and
 * nothing but the domain XML stays in the conversion's output directory.
 */
class RemoteLibvirtIT {
    /** test.sh exports the URI it made libvirtd listen on; the default port otherwise. */
    private static final String REMOTE = System.getenv().getOrDefault("XEN2KVM_REMOTE_URI",
            "qemu+tcp://127.0.0.1/system");
    private static final long TIMEOUT_SECONDS = 900;
    /** Fixed edit times, so that the remote and the local conversion write the same bytes. */
    private static final String EPOCH = "1700000000";

    private final List<Path> dirs = new ArrayList<>();
    private Connect remote;
    private StoragePool pool;
    private String poolName;
    private Path poolDir;
    private String name;

    @BeforeEach
    void setUp() throws Exception {
        ExternalTool.require("virsh", "qemu-img");
        ExternalTool.Result up = ExternalTool.run(List.of("virsh", "-c", REMOTE, "version"));
        ExternalTool.requireThat(up.exitCode() == 0, "libvirtd does not answer on " + REMOTE
                + " (test.sh starts it with testdata/libvirtd-tcp.conf): " + up.output().strip());
        remote = new Connect(REMOTE, false);
        String id = UUID.randomUUID().toString().substring(0, 8);
        poolName = "xen2kvm-remote-" + id;
        name = "xen2kvm-remote-" + id;
        poolDir = Files.createDirectory(readableDir("pool").resolve("volumes"));
        Files.setPosixFilePermissions(poolDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        pool = remote.storagePoolCreateXML("<pool type='dir'><name>" + poolName + "</name><target><path>" + poolDir
                + "</path></target></pool>", 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (remote != null) {
                for (int id : remote.listDomains()) {
                    Domain d = remote.domainLookupByID(id);
                    if (d.getName().equals(name)) {
                        d.destroy();
                    }
                }
                for (String n : remote.listDefinedDomains()) {
                    if (n.equals(name)) {
                        remote.domainLookupByName(n).undefine();
                    }
                }
                if (pool != null) {
                    pool.destroy(); // transient: gone with it; the files go with the directory below
                }
                remote.close();
            }
        } finally {
            for (Path d : dirs) {
                try (var files = Files.walk(d)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void convertsOntoARemotePoolAndBootsFromIt() throws Exception {
        Path cfg = DebianGuestsBootIT.guests().resolve("guest-b").resolve("guest-b.cfg");
        Path remoteOut = readableDir("out");
        List<String> remoteArgs = List.of("convert", cfg.toString(), "-o", remoteOut.toString(), "-O", "raw",
                "--name", name, "--domain-type", "qemu", "--connect", REMOTE, "--pool", poolName, "--json");
        Run r = launch(remoteArgs.toArray(String[]::new));
        assertEquals(0, r.exit, r.toString());

        // The volumes are in the pool, seen over the remote connection, and the domain names them.
        pool.refresh(0);
        List<String> volumes = List.of(pool.listVolumes()).stream().sorted().toList();
        assertEquals(List.of(name + "-vda.raw", name + "-vdb.raw"), volumes);
        String xml = remote.domainLookupByName(name).getXMLDesc(0);
        for (String v : volumes) {
            assertTrue(xml.contains("<source file='" + poolDir.resolve(v) + "'"), xml);
        }
        // Nothing staged stays on the conversion host: only the domain XML.
        try (var left = Files.list(remoteOut)) {
            assertEquals(List.of(name + ".xml"), left.map(p -> p.getFileName().toString()).sorted().toList());
        }

        // The same conversion into local files: every volume equals its local twin, and the
        // holes stayed holes in the pool.
        Path localOut = readableDir("local");
        Run local = launch("convert", cfg.toString(), "-o", localOut.toString(), "-O", "raw", "--name", name,
                "--domain-type", "qemu", "--json");
        assertEquals(0, local.exit, local.toString());
        long holes = 0;
        for (String v : volumes) {
            Path volume = Path.of(pool.storageVolLookupByName(v).getPath());
            ExternalTool.Result cmp = ExternalTool.run(List.of("qemu-img", "compare", "-f", "raw", "-F", "raw",
                    volume.toString(), localOut.resolve(v).toString()));
            assertEquals(0, cmp.exitCode(), v + ": " + cmp.output());
            long size = Files.size(volume);
            long allocated = Long.parseLong(ExternalTool.run(List.of("stat", "-c", "%b", volume.toString()))
                    .output().strip()) * 512;
            holes += size - allocated;
            System.out.printf("%s: %d MiB, %d MiB allocated in the remote pool%n", v, size >> 20, allocated >> 20);
        }
        assertTrue(holes > 256L << 20, "the upload was not sparse: only " + (holes >> 20) + " MiB of holes");

        // Again, replacing domain and volumes, and booted from the pool to the login prompt.
        List<String> boot = new ArrayList<>(remoteArgs);
        boot.addAll(List.of("--force", "--replace", "--start", "--verify-boot=420"));
        Run booted = launch(boot.toArray(String[]::new));
        assertEquals(0, booted.exit, booted.toString());
        Map<String, Object> report = (Map<String, Object>) StrictJson.parse(booted.out);
        Map<String, Object> check = (Map<String, Object>) report.get("bootCheck");
        assertEquals(true, check.get("booted"), "boot check: " + check);
        System.out.printf("booted from the remote pool to the login prompt in %s s%n", check.get("secondsToLogin"));
    }

    /** A fresh directory the qemu user can read (JUnit's temp directories are private to root). */
    private Path readableDir(String what) throws IOException {
        Path base = Path.of("/var/tmp/xen2kvm-e2e");
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createTempDirectory(base, "remote-" + what + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        dirs.add(dir);
        return dir;
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    /** bin/xen2kvm in a child process, as a user runs it. */
    private Run launch(String... args) throws IOException, InterruptedException {
        String launcher = System.getProperty("xen2kvm.launcher");
        if (launcher == null) {
            fail("system property xen2kvm.launcher is not set: run this test with mvn verify");
        }
        List<String> command = new ArrayList<>(List.of(launcher));
        command.addAll(List.of(args));
        Path work = readableDir("run");
        Path out = work.resolve("stdout");
        Path err = work.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("XDG_CACHE_HOME", work.resolve("cache").toString());
        pb.environment().put("SOURCE_DATE_EPOCH", EPOCH);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        assertFalse(p.isAlive());
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
