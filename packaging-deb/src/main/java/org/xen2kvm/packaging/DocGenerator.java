package org.xen2kvm.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xen2kvm.cli.Xen2KvmCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the man pages (AsciiDoc, one per command) and the bash completion script of the
 * Debian package from the picocli model of {@code xen2kvm}, so neither can drift from the
 * options the command really has.
 *
 * <p>It starts from {@link Xen2KvmCommand#newCommandLine()}, not from the command class:
 * the subcommands are added there, not in the annotation, so picocli's own generators
 * given only the class would see a command without subcommands.
 */
public final class DocGenerator {
    private DocGenerator() {
    }

    /**
     * Arguments: the directory for the AsciiDoc man pages, the file for the bash completion.
     *
     * @throws IOException if a file cannot be written
     * @throws IllegalStateException if picocli reports a failure
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DocGenerator ADOC_DIR COMPLETION_FILE");
        }
        Path adocDir = Path.of(args[0]);
        Path completion = Path.of(args[1]);

        CommandLine cl = Xen2KvmCommand.newCommandLine();
        // "help" has no options of its own; a man page xen2kvm-help(1) would only repeat xen2kvm(1).
        CommandLine withoutHelp = Xen2KvmCommand.newCommandLine();
        withoutHelp.getCommandSpec().removeSubcommand("help");
        // Only the top command has the version; each page's footer shows it.
        inheritVersion(withoutHelp.getCommandSpec(), withoutHelp.getCommandSpec().versionProvider());
        Files.createDirectories(adocDir);
        int rc = ManPageGenerator.generateManPage(adocDir.toFile(), null, new boolean[0], true,
                withoutHelp.getCommandSpec());
        if (rc != CommandLine.ExitCode.OK) {
            throw new IllegalStateException("picocli ManPageGenerator failed with exit code " + rc);
        }

        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, AutoComplete.bash("xen2kvm", cl), StandardCharsets.UTF_8);
    }

    private static void inheritVersion(CommandSpec spec, CommandLine.IVersionProvider version) {
        if (spec.version().length == 0) {
            spec.versionProvider(version);
        }
        spec.subcommands().values().forEach(sub -> inheritVersion(sub.getCommandSpec(), version));
    }
}
