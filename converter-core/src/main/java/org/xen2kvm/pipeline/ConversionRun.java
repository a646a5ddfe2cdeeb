package org.xen2kvm.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xen2kvm.Cancellation;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.plan.OutputNames;

/**
 * The typed context of one conversion: the request, what each step has produced so far,
 * the warnings gathered for the plan, and what to clean up.
 */
public final class ConversionRun {
    private final ConversionRequest request;
    private final ConversionListener listener;
    private final Map<Fact<?>, Object> facts = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final Cleanup cleanup = new Cleanup();
    private final Cancellation cancellation;

    /** A run that stops when this process is interrupted ({@link Cancellation#process()}). */
    public ConversionRun(ConversionRequest request, ConversionListener listener) {
        this(request, listener, Cancellation.process());
    }

    public ConversionRun(ConversionRequest request, ConversionListener listener, Cancellation cancellation) {
        this.request = request;
        this.listener = listener;
        this.cancellation = cancellation;
    }

    public ConversionRequest request() {
        return request;
    }

    public boolean dryRun() {
        return request.dryRun();
    }

    /** What an earlier step produced; a step asking for a fact no step produced is a bug. */
    public <T> T get(Fact<T> fact) {
        Object v = facts.get(fact);
        if (v == null) {
            throw new IllegalStateException("no step produced " + fact.name() + " before it was needed");
        }
        return fact.type().cast(v);
    }

    /** What an earlier step produced, if it produced it (a step may find nothing to produce). */
    public <T> Optional<T> find(Fact<T> fact) {
        return Optional.ofNullable(fact.type().cast(facts.get(fact)));
    }

    /**
     * Records what a step produced. Each fact is produced once, except the plan, which steps
     * refine, and the inspected guest, which a kernel install adds a kernel to.
     */
    public <T> void put(Fact<T> fact, T value) {
        if (facts.containsKey(fact) && !fact.equals(Facts.PLAN) && !fact.equals(Facts.INSPECTED)) {
            throw new IllegalStateException(fact.name() + " produced twice");
        }
        facts.put(fact, fact.type().cast(value));
    }

    /** A warning for the plan; shown with the plan's other warnings once the plan is final. */
    public void warn(String message) {
        warnings.add(message);
    }

    /** The warnings gathered so far and not yet folded into the plan; the caller takes them. */
    public List<String> takeWarnings() {
        List<String> l = List.copyOf(warnings);
        warnings.clear();
        return l;
    }

    /** Tells the listener something happened. */
    public void emit(ConversionEvent event) {
        listener.on(event);
    }

    public void stage(String stage, String detail) {
        listener.on(new ConversionEvent.StageStarted(stage, detail));
    }

    public void progress(ProgressEvent e) {
        listener.on(new ConversionEvent.Progress(e));
    }

    /** Where this run's files go (the plan's names). */
    public OutputNames outputNames() {
        return new OutputNames(request.plan().outputDir(), get(Facts.PLAN).target().name());
    }

    /** What steps with long loops poll ({@link Cancellation#check}); the runner checks it between steps. */
    public Cancellation cancellation() {
        return cancellation;
    }

    public Cleanup cleanup() {
        return cleanup;
    }

    void addTime(String phase, Duration d) {
        timings.merge(phase, d, Duration::plus);
    }

    public Map<String, Duration> timings() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timings));
    }
}
