package org.xen2kvm.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The one place tests check for and run the real tools that serve as oracles (virt-xml-validate,
 * qemu-img, e2fsck...). Every tool must be listed in {@code testdata/tools.tsv} with its Debian
 * package, the same file {@code test.sh} installs from: a test that requires an unlisted tool
 * fails at once, so the list cannot fall behind the tests. A listed tool that is missing fails
 * the test in CI ({@code CI=true}) and skips it elsewhere, naming the package to install.
 */
public final class ExternalTool {
    /** The tool list, relative to the project root. */
    public static final String TOOLS_FILE = "testdata/tools.tsv";

    /** Where sbin tools live when the PATH of a non-root user leaves them out. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin");
    private static final List<String> LIBRARY_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
            "/lib/x86_64-linux-gnu");

    private static Map<String, Tool> tools;

    private ExternalTool() {
    }

    /** One line of {@code testdata/tools.tsv}. */
    public record Tool(String program, String debianPackage, String why, List<String> runs) {
    }

    /** Exit code and merged output of a finished command. */
    public record Result(int exitCode, String output) {
    }

    /** True under CI ({@code CI=true}), where a missing prerequisite fails instead of skipping. */
    public static boolean inCi() {
        return "true".equals(System.getenv("CI"));
    }

    /**
     * Requires a prerequisite other than a tool (a running daemon, built guests, the corpus):
     * fails the test in CI, skips it elsewhere, with {@code what} as the reason.
     */
    public static void requireThat(boolean present, String what) {
        if (!present && inCi()) {
            throw new AssertionError(what + " (CI=true, so this test may not skip)");
        }
        assumeTrue(present, what);
    }

    /**
     * Requires listed tools, and the programs each runs in turn.
     *
     * @throws IllegalStateException if a tool is not listed in testdata/tools.tsv
     * @throws AssertionError if a tool is missing and CI=true (elsewhere the test is skipped)
     */
    public static void require(String... programs) {
        for (String program : programs) {
            Tool tool = listed(program);
            requireThat(locate(program).isPresent(), missingMessage(tool));
            for (String helper : tool.runs()) {
                require(helper);
            }
        }
    }

    /** The message for a missing tool: it names the Debian package and who installs it. */
    public static String missingMessage(Tool tool) {
        return tool.program() + " is not installed (Debian package " + tool.debianPackage()
                + "); ./test.sh installs it";
    }

    /**
     * The line of the tool list for {@code program}.
     *
     * @throws IllegalStateException if it is not listed
     */
    public static Tool listed(String program) {
        Tool tool = tools().get(program);
        if (tool == null) {
            throw new IllegalStateException(program + " is not listed in " + toolsFile()
                    + ": add a line 'program<TAB>debian-package<TAB>why' so test.sh installs it");
        }
        return tool;
    }

    /** Where {@code program} is: an absolute path as is, a library in the library folders, else the PATH. */
    public static Optional<Path> locate(String program) {
        if (program.startsWith("/")) {
            Path p = Path.of(program);
            return Files.exists(p) ? Optional.of(p) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        if (program.contains(".so")) {
            dirs.addAll(LIBRARY_DIRS);
        } else {
            dirs.addAll(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
            dirs.addAll(EXTRA_DIRS);
        }
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (program.contains(".so") ? Files.exists(p) : Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs a command after requiring its program; the program is run by its full path, so sbin
     * tools work from a PATH without sbin.
     */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        return run(null, command);
    }

    /** {@link #run(List)} in the working directory {@code dir} (null: the current one). */
    public static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        require(command.get(0));
        List<String> c = new ArrayList<>(command);
        c.set(0, locate(command.get(0)).orElseThrow().toString());
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The project root: the first folder up from the working directory holding testdata/tools.tsv. */
    public static Path projectRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(TOOLS_FILE))) {
                return d;
            }
        }
        throw new IllegalStateException("no " + TOOLS_FILE + " in " + start + " or a folder above it");
    }

    static Path toolsFile() {
        return projectRoot().resolve(TOOLS_FILE);
    }

    /** Every listed tool, by program, in file order. */
    public static synchronized Map<String, Tool> tools() {
        if (tools == null) {
            try {
                tools = parse(toolsFile(), Files.readAllLines(toolsFile(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tools;
    }

    /**
     * Parses the tool list strictly.
     *
     * @throws IllegalStateException naming the file and line of a malformed or repeated entry
     */
    static Map<String, Tool> parse(Path file, List<String> lines) {
        Map<String, Tool> m = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 3 || f.length > 4 || f[0].isBlank() || f[1].isBlank() || f[2].isBlank()) {
                throw new IllegalStateException(file + " line " + (i + 1)
                        + ": expected 'program<TAB>debian-package<TAB>why[<TAB>runs]', got '" + line + "'");
            }
            List<String> runs = f.length == 4 && !f[3].isBlank() ? List.of(f[3].split(",")) : List.of();
            if (m.put(f[0], new Tool(f[0], f[1], f[2], runs)) != null) {
                throw new IllegalStateException(file + " line " + (i + 1) + ": " + f[0] + " is listed twice");
            }
        }
        for (Tool t : m.values()) {
            for (String helper : t.runs()) {
                if (!m.containsKey(helper)) {
                    throw new IllegalStateException(file + ": " + t.program() + " runs " + helper
                            + ", which is not listed");
                }
            }
        }
        return Collections.unmodifiableMap(m);
    }
}
