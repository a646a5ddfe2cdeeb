package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.libvirt.BootReport;
import org.xen2kvm.libvirt.LibvirtRegistrar;
import org.xen2kvm.libvirt.RegisteredDomain;
import org.xen2kvm.libvirt.Registration;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.plan.DiskCopy;

/**
 * Defines the domain in libvirt and, if asked, starts it or checks that it boots to a login
 * prompt. libvirt is left as it was unless every part succeeds.
 */
final class RegisterDomain implements Step {
    @Override
    public String name() {
        return "register";
    }

    @Override
    public String phase() {
        return "register";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(ConversionRun run) {
        ConversionRequest req = run.request();
        if (req.connectUri() == null) {
            return;
        }
        run.stage("register", req.connectUri());
        TargetDomain t = run.get(Facts.PLAN).target();
        warnIfUnreachable(run);
        try (LibvirtRegistrar registrar = LibvirtRegistrar.connect(req.connectUri());
             Registration reg = registrar.begin()) {
            RegisteredDomain dom = reg.define(run.get(Facts.DOMAIN_XML), t.name(), t.uuid(),
                    req.replace() || leftover(run, registrar, t));
            BootReport report = null;
            if (req.verifyBoot() != null) {
                run.stage("verify-boot", "waiting up to " + req.verifyBoot().toSeconds() + " s for a login prompt");
                Path log = run.outputNames().consoleLog();
                report = reg.verifyBoot(dom, req.verifyBoot(), LibvirtRegistrar.DEFAULT_LOGIN_PROMPT, log, req.start());
                if (!report.booted()) {
                    throw new Xen2KvmException(t.name() + ": no login prompt within " + req.verifyBoot().toSeconds()
                            + " s; console log " + log + "; last lines: " + report.lastConsoleLines());
                }
            } else if (req.start()) {
                reg.start(dom);
            }
            reg.commit();
            run.put(Facts.REGISTERED, new Registered(dom.name(), report));
        }
    }

    /**
     * True when an earlier run of this conversion was killed after it defined the domain (it
     * names this run's first disk) and before it finished: the re-run redefines it in place.
     */
    private static boolean leftover(ConversionRun run, LibvirtRegistrar registrar, TargetDomain t) {
        List<DiskCopy> copies = run.get(Facts.PLAN).copies();
        return run.get(Facts.RUN_MARKER).resumed() && !copies.isEmpty()
                && registrar.isLeftoverOf(t.name(), t.uuid(), copies.get(0).outputPath().toString());
    }

    /**
     * A local system libvirt runs QEMU as its own user, which must be able to walk down to
     * the output directory; a private directory (mode 0700, as mktemp makes) makes the
     * guest fail to start with "Permission denied".
     */
    private static void warnIfUnreachable(ConversionRun run) {
        if (!run.request().connectUri().startsWith("qemu:///system")) {
            return;
        }
        for (Path p = run.request().plan().outputDir().toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    run.emit(new ConversionEvent.Warning(p + " is not searchable by other users: libvirt's QEMU may not"
                            + " reach the disks (chmod o+x " + p + ")"));
                    return;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return;
            }
        }
    }
}
