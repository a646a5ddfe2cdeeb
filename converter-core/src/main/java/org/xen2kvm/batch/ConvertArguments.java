package org.xen2kvm.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code convert} command line of one plan entry: the plan's {@code defaults} with the
 * entry's {@code options} over them, then {@code --name TARGET} and the definition. Any option
 * {@code convert} has works here without this class knowing it: {@code key: value} becomes
 * {@code --key=value}, {@code key: true} the flag {@code --key}, {@code key: false} nothing
 * (so an entry can turn a default flag off), and a list one {@code --key=item} per item.
 */
public final class ConvertArguments {
    /**
     * Options a plan may not set: a plan run decides them ({@code dry-run}, {@code json},
     * {@code progress}), or the entry says them ({@code name} is its {@code target}).
     */
    public static final Set<String> RESERVED = Set.of("dry-run", "json", "progress", "name", "help", "version");

    private ConvertArguments() {
    }

    /** The options in force for {@code entry}: defaults, then the entry's own, then {@code extra}. */
    public static Map<String, Object> effective(Plan plan, PlanEntry entry, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>(plan.defaults());
        m.putAll(entry.options());
        m.putAll(extra);
        return m;
    }

    /**
     * The arguments for {@code convert}.
     *
     * @param extra options the run adds (e.g. {@code dry-run}, or {@code force} on a resume)
     * @throws BadPlanException when the plan sets a reserved option
     */
    public static List<String> of(Plan plan, PlanEntry entry, Map<String, Object> extra) {
        List<String> args = new ArrayList<>();
        for (String key : plan.defaults().keySet()) {
            reject(key, "defaults");
        }
        for (String key : entry.options().keySet()) {
            reject(key, "guest " + entry.name() + " options");
        }
        for (Map.Entry<String, Object> o : effective(plan, entry, extra).entrySet()) {
            add(args, o.getKey(), o.getValue());
        }
        if (entry.target() != null) {
            args.add("--name=" + entry.target());
        }
        args.add("--");
        args.add(entry.source());
        return args;
    }

    private static void reject(String key, String where) {
        if (RESERVED.contains(key)) {
            throw new BadPlanException(where + ": " + key + " cannot be set in a plan"
                    + (key.equals("name") ? " (set the guest's target instead)" : " (plan run decides it)"));
        }
    }

    private static void add(List<String> args, String key, Object value) {
        if (value instanceof Boolean b) {
            if (b) {
                args.add("--" + key);
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                args.add("--" + key + "=" + item);
            }
        } else if (value != null) {
            args.add("--" + key + "=" + value);
        }
    }
}
