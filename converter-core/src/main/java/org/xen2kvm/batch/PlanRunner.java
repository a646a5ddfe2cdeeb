package org.xen2kvm.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.pipeline.ConversionEvent;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionResult;

/**
 * Runs a plan: the guests of this run's share, wave by wave in ascending order, up to
 * {@code jobs} at a time on threads of this process (each conversion is independent: its
 * own request, files, overlays and libvirt connection; what core keeps in static fields is
 * immutable or synchronized). One guest failing never stops the others.
 *
 * <p>Each guest is claimed through the {@link StateStore} lock before anything is done about
 * it, so guests that another run holds are left to it, and a guest's state is only ever
 * written by its holder. A guest {@code done} is not redone. A guest whose state says
 * {@code running} although nobody holds it was being converted by a run that was killed: it is
 * converted again, with {@code force} (and {@code replace} when it registers with libvirt) so
 * outputs and a domain that run had already finished are replaced rather than refused.
 */
public final class PlanRunner {
    static final int CLAIM_ATTEMPTS = 3;
    static final long CLAIM_RETRY_MILLIS = 50;
    private final Path planFile;
    private final Plan plan;
    private final StateStore store;
    private final GuestConverter converter;
    private final PlanListener listener;
    private final String owner;
    private final Cancellation cancellation;

    /** A runner that stops when this process is interrupted ({@link Cancellation#process()}). */
    public PlanRunner(Path planFile, Plan plan, GuestConverter converter, PlanListener listener) {
        this(planFile, plan, converter, listener, Cancellation.process());
    }

    /**
     * A runner that stops when {@code cancellation} is set: the conversions under way are
     * undone (by the converter, which must watch the same cancellation) and their guests are
     * pending again; the guests not yet started are not started.
     */
    public PlanRunner(Path planFile, Plan plan, GuestConverter converter, PlanListener listener,
            Cancellation cancellation) {
        this.cancellation = cancellation;
        this.planFile = planFile.toAbsolutePath();
        this.plan = plan;
        this.store = StateStore.beside(planFile);
        this.converter = converter;
        this.listener = listener;
        this.owner = hostName() + ":" + ProcessHandle.current().pid();
    }

    /** The guests a run with {@code options} takes, in plan order. */
    public List<PlanEntry> selected(RunOptions options) {
        for (String n : options.only()) {
            if (plan.guest(n) == null) {
                throw new BadPlanException(planFile + ": --only " + n + ": no such guest in the plan");
            }
        }
        List<PlanEntry> out = new ArrayList<>();
        for (PlanEntry e : plan.guests()) {
            if (options.shard().contains(e.name()) && (options.only().isEmpty() || options.only().contains(e.name()))) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Checks every selected guest's convert options before anything runs.
     *
     * @throws BadPlanException when one is wrong (the whole run is refused: exit 2)
     */
    public void check(RunOptions options) {
        Map<String, String> targets = new HashMap<>();
        for (PlanEntry e : plan.guests()) {
            String other = targets.putIfAbsent(e.targetName(), e.name());
            if (other != null) {
                throw new BadPlanException(planFile + ": guests " + other + " and " + e.name()
                        + " have the same target " + e.targetName() + "; give one another target");
            }
        }
        for (PlanEntry e : selected(options)) {
            if (!e.skip()) {
                converter.check(e.name(), ConvertArguments.of(plan, e, Map.of()));
            }
        }
    }

    /**
     * Runs the selected guests.
     *
     * @return each selected guest's outcome, in plan order
     * @throws BadPlanException when the plan cannot be run as written (nothing was converted)
     */
    public Map<String, RunOutcome> run(RunOptions options) throws InterruptedException {
        check(options);
        TreeMap<Integer, List<PlanEntry>> waves = new TreeMap<>();
        for (PlanEntry e : selected(options)) {
            waves.computeIfAbsent(e.wave(), w -> new ArrayList<>()).add(e);
        }
        Map<String, RunOutcome> outcomes = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), r -> {
            Thread t = new Thread(r, "plan-guest");
            t.setDaemon(true);
            return t;
        });
        try {
            for (List<PlanEntry> wave : waves.values()) {
                Map<String, Future<RunOutcome>> futures = new LinkedHashMap<>();
                for (PlanEntry e : wave) {
                    futures.put(e.name(), pool.submit(() -> guest(e, options)));
                }
                for (Map.Entry<String, Future<RunOutcome>> f : futures.entrySet()) {
                    try {
                        outcomes.put(f.getKey(), f.getValue().get());
                    } catch (ExecutionException ex) {
                        outcomes.put(f.getKey(), new RunOutcome(RunOutcome.Result.FAILED, null,
                                PlanBuilder.message(ex.getCause())));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, RunOutcome> ordered = new LinkedHashMap<>();
        for (PlanEntry e : plan.guests()) {
            if (outcomes.containsKey(e.name())) {
                ordered.put(e.name(), outcomes.get(e.name()));
            }
        }
        return ordered;
    }

    private RunOutcome guest(PlanEntry e, RunOptions options) throws Exception {
        RunOutcome outcome;
        if (cancellation.cancelled()) {
            outcome = new RunOutcome(RunOutcome.Result.INTERRUPTED, null,
                    "not started: the run was interrupted (" + cancellation.reason() + ")");
        } else if (e.skip()) {
            outcome = new RunOutcome(RunOutcome.Result.SKIPPED, null, "skip: true");
        } else if (options.dryRun()) {
            outcome = dryRun(e);
        } else {
            Optional<StateStore.Claim> claim = claim(e.name());
            if (claim.isEmpty()) {
                outcome = new RunOutcome(RunOutcome.Result.BUSY, null, "held by another run");
            } else {
                try (StateStore.Claim held = claim.get()) {
                    outcome = claimed(e, options);
                }
            }
        }
        listener.finished(e, outcome);
        return outcome;
    }

    /**
     * Takes a guest's lock. A run that converts a guest holds it for the whole conversion, but
     * {@code plan status} holds it for an instant to tell a live run from a killed one: a few
     * tries a little apart keep such a look from making this run leave the guest alone.
     */
    private Optional<StateStore.Claim> claim(String name) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Optional<StateStore.Claim> c = store.tryClaim(name);
            if (c.isPresent() || attempt == CLAIM_ATTEMPTS) {
                return c;
            }
            Thread.sleep(CLAIM_RETRY_MILLIS);
        }
    }

    private RunOutcome dryRun(PlanEntry e) throws IOException {
        Optional<GuestState> prev = store.read(e.name());
        if (prev.isPresent() && prev.get().state() == GuestStatus.DONE) {
            return new RunOutcome(RunOutcome.Result.ALREADY_DONE, prev.get(), "done earlier");
        }
        listener.started(e);
        try {
            // A dry conversion tolerates disks it cannot read (it still shows the plan); a plan's
            // dry run is the check before the weekend, so a missing disk is a failure here.
            for (PlanDisk d : e.disks()) {
                if (!Files.exists(Path.of(d.path()))) {
                    return new RunOutcome(RunOutcome.Result.FAILED, null, "disk " + d.path() + " does not exist");
                }
            }
            converter.convert(ConvertArguments.of(plan, e, Map.of("dry-run", true)), ev -> listener.event(e, ev));
            return new RunOutcome(RunOutcome.Result.PLANNED, null, "would be converted");
        } catch (Exception ex) {
            return new RunOutcome(RunOutcome.Result.FAILED, null, PlanBuilder.message(ex));
        }
    }

    private RunOutcome claimed(PlanEntry e, RunOptions options) throws IOException {
        Optional<GuestState> prev = store.read(e.name());
        GuestStatus before = prev.map(GuestState::state).orElse(null);
        if (before == GuestStatus.DONE) {
            return new RunOutcome(RunOutcome.Result.ALREADY_DONE, prev.get(), "done earlier");
        }
        if (!options.retryFailed()) {
            if (before == GuestStatus.FAILED) {
                return new RunOutcome(RunOutcome.Result.FAILED, prev.get(), prev.get().error());
            }
            if (prev.isEmpty() && e.error() != null) {
                return new RunOutcome(RunOutcome.Result.FAILED, null, e.error());
            }
        }
        Map<String, Object> effective = ConvertArguments.effective(plan, e, Map.of());
        boolean registers = effective.get("connect") != null && !Boolean.FALSE.equals(effective.get("connect"));
        Map<String, Object> extra = new LinkedHashMap<>();
        if (before == GuestStatus.RUNNING || (before == GuestStatus.FAILED && !prev.get().outputs().isEmpty())) {
            // Ours: a killed run's or a failed post hook's finished outputs are replaced, not refused.
            extra.put("force", true);
        }
        if (registers && (before == GuestStatus.RUNNING || (before == GuestStatus.FAILED && prev.get().registered() != null))) {
            extra.put("replace", true);
        }
        Instant start = Instant.now();
        store.write(GuestState.running(e.name(), owner, start.toString()));
        listener.started(e);
        Map<String, Long> copied = new HashMap<>();
        ConversionListener events = ev -> {
            if (ev instanceof ConversionEvent.Progress p) {
                ProgressEvent pe = p.progress();
                synchronized (copied) {
                    copied.put(pe.what(), pe.bytesDone());
                }
            }
            listener.event(e, ev);
        };
        Map<String, String> env = new LinkedHashMap<>();
        env.put("XEN2KVM_GUEST", e.name());
        env.put("XEN2KVM_TARGET", e.targetName());
        env.put("XEN2KVM_SOURCE", e.source());
        env.put("XEN2KVM_PLAN", planFile.toString());
        Object outDir = effective.get("output-dir");
        env.put("XEN2KVM_OUTPUT_DIR", outDir == null ? "." : outDir.toString());
        ConversionResult result = null;
        GuestState state;
        try {
            List<String> pre = concat(plan.pre(), e.pre());
            Hooks.run("pre", pre, env, plan.hookTimeout());
            result = converter.convert(ConvertArguments.of(plan, e, extra), events);
            List<String> outputs = result.outputs().stream().map(Path::toString).toList();
            env.put("XEN2KVM_OUTPUTS", String.join(" ", outputs));
            if (result.registered() != null) {
                env.put("XEN2KVM_DOMAIN", result.registered());
            }
            Hooks.run("post", concat(e.post(), plan.post()), env, plan.hookTimeout());
            state = finished(e, start, GuestStatus.DONE, result, sum(copied), null, null);
        } catch (Hooks.HookFailedException ex) {
            state = finished(e, start, GuestStatus.FAILED, result, sum(copied), ex.getMessage(), ex.output);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            state = finished(e, start, GuestStatus.FAILED, result, sum(copied), "interrupted", null);
        } catch (Exception | StackOverflowError ex) {
            CancelledException cancelled = CancelledException.in(ex);
            if (cancelled == null) {
                state = finished(e, start, GuestStatus.FAILED, result, sum(copied), PlanBuilder.message(ex), null);
            } else {
                // Nothing failed: the conversion was undone, so the next run simply converts it.
                state = finished(e, start, GuestStatus.PENDING, null, 0, "interrupted (" + cancelled.reason()
                        + "); what the conversion had written was removed; the next plan run converts it", null);
            }
        }
        store.write(state);
        RunOutcome.Result r = switch (state.state()) {
            case DONE -> RunOutcome.Result.CONVERTED;
            case PENDING -> RunOutcome.Result.INTERRUPTED;
            default -> RunOutcome.Result.FAILED;
        };
        return new RunOutcome(r, state, state.error());
    }

    private GuestState finished(PlanEntry e, Instant start, GuestStatus status, ConversionResult r, long bytes,
                                String error, String hookOutput) {
        Instant end = Instant.now();
        double seconds = Duration.between(start, end).toNanos() / 1e9;
        List<String> outputs = r == null ? List.of() : r.outputs().stream().map(Path::toString).toList();
        List<String> warnings = r == null ? List.of() : r.plan().warnings();
        Double boot = null;
        Boolean checked = null;
        if (r != null && r.boot() != null) {
            checked = true;
            if (r.boot().booted() && r.boot().timeToPrompt() != null) {
                boot = r.boot().timeToPrompt().toNanos() / 1e9;
            }
        }
        // The data written, as the allocation maps measured it; the copy's progress counts
        // holes too, so it only stands in when the space was not measured.
        long data = r != null && r.space() != null ? r.space().neededBytes() : bytes;
        return new GuestState(e.name(), status, owner, start.toString(), end.toString(), seconds, outputs,
                r == null ? null : r.registered(), warnings, boot, checked, data, error, hookOutput);
    }

    private static long sum(Map<String, Long> copied) {
        synchronized (copied) {
            return copied.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** This machine's name, for the owner of a claim (read from the kernel: no DNS look-up). */
    static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the environment may say
        }
        String h = System.getenv("HOSTNAME");
        return h == null || h.isBlank() ? "localhost" : h;
    }
}
