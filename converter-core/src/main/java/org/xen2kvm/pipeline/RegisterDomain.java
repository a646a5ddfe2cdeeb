package org.xen2kvm.pipeline;

import java.nio.file.Path;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.libvirt.BootReport;
import org.xen2kvm.libvirt.LibvirtRegistrar;
import org.xen2kvm.libvirt.RegisteredDomain;
import org.xen2kvm.libvirt.Registration;
import org.xen2kvm.kvm.TargetDomain;

/**
 * Defines the domain in libvirt and, if asked, starts it or checks that it boots to a login
 * prompt, then commits the registration; libvirt is left as it was unless every part succeeds.
 */
final class RegisterDomain extends PipelineStep {
    RegisterDomain() {
        super("register", "register", WRITES);
    }

    @Override
    public void run(ConversionRun run) {
        ConversionRequest req = run.request();
        if (req.connectUri() == null) {
            return;
        }
        TargetDomain t = run.get(Facts.PLAN).target();
        Registration reg = run.get(Facts.REGISTRATION);
        RegisteredDomain dom = reg.define(run.get(Facts.DOMAIN_XML), t.name(), t.uuid(),
                req.replace() || leftover(run, reg, t));
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

    /**
     * True when an earlier run of this conversion was killed after it defined the domain (it
     * names this run's first disk, where the domain finds it) and before it finished: the
     * re-run redefines it in place.
     */
    private static boolean leftover(ConversionRun run, Registration reg, TargetDomain t) {
        if (!run.get(Facts.RUN_MARKER).resumed()) {
            return false;
        }
        return t.disks().stream().filter(d -> !d.cdrom() && d.sourcePath() != null).findFirst()
                .map(d -> reg.isLeftoverOf(t.name(), t.uuid(), d.sourcePath())).orElse(false);
    }
}
