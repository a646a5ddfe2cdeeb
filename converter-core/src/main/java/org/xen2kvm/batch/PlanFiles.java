package org.xen2kvm.batch;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.xen2kvm.JsonStyle;

/**
 * Reads and writes plans as YAML (state and reports are JSON in {@link JsonStyle}). A plan is checked
 * as it is read: unknown keys (a typo such as {@code wav:}), duplicate or unusable names and
 * option values that are not scalars or lists are refused with the file and line.
 */
public final class PlanFiles {
    /** Plans are written by people; a real one is a few hundred KiB at most. */
    static final long MAX_PLAN_BYTES = 64L << 20;
    /**
     * An entry's name is also a file name in the state folder and a shard hash input: letters,
     * digits, {@code . _ + -}, not starting with a dot, at most 200 characters.
     */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,199}");
    /** An option key is a convert option's long name without the dashes. */
    static final Pattern OPTION_KEY = Pattern.compile("[a-z][a-z0-9-]*");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private PlanFiles() {
    }

    /**
     * Reads and checks a plan.
     *
     * @throws BadPlanException when it is not a valid plan (the message names file and line)
     * @throws IOException      when it cannot be read
     */
    public static Plan read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.size(file) > MAX_PLAN_BYTES) {
            throw new BadPlanException(file + ": too large for a plan (" + Files.size(file) + " bytes)");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadPlanException(file + ": not UTF-8 text; a plan is YAML", e);
        }
        return fromYaml(file.toString(), text);
    }

    /** Writes {@code plan} to {@code file} atomically. */
    public static void write(Plan plan, Path file) throws IOException {
        AtomicFiles.write(file, toYaml(plan).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The plan as YAML text. */
    public static String toYaml(Plan plan) {
        try {
            return YAML.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plan always serializes", e);
        }
    }

    /**
     * Writes and reads a small plan, state and status, so that the classes they need (Jackson's
     * and ours) are loaded: the launcher calls this on the run that writes its class-data
     * archive, whatever command that run is, so plan commands start from the archive too.
     */
    public static void warmUp() {
        PlanEntry e = new PlanEntry("warm-up", "/warm-up.cfg", "xl", null, List.of("00:16:3e:00:00:01"),
                List.of(new PlanDisk("/warm-up.img", "xvda", 1L, 1L, null)), "warm-up", 1, false,
                Map.of("output-dir", "/tmp", "start", true), List.of("true"), List.of(), null);
        Plan plan = fromYaml("warm-up", toYaml(new Plan(Plan.VERSION, List.of("/etc/xen"), Map.of("bridge",
                List.of("xenbr0=br0")), null, null, null, null, List.of(new SkippedFile("/x", "y")), List.of(e))));
        try {
            GuestState s = GuestState.running(e.name(), "host:1", "2026-01-01T00:00:00Z");
            JsonStyle.mapper().readValue(JsonStyle.pretty().writeValueAsBytes(s), GuestState.class);
            new PlanStatus("/p", "2026-01-01T00:00:00Z", List.of(), new PlanStatus.Totals(0, 0, 0, 0, 0, 0, 0, 0))
                    .toJson();
        } catch (IOException ex) {
            throw new IllegalStateException("the warm-up documents always round-trip", ex);
        }
        ConvertArguments.of(plan, plan.guests().get(0), Map.of());
    }

    /**
     * Parses and checks plan YAML text; {@code where} names it in messages.
     *
     * @throws BadPlanException when it is not a valid plan
     */
    static Plan fromYaml(String where, String yaml) {
        Plan plan;
        try {
            plan = YAML.readValue(yaml, Plan.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String place = at == null || at.getLineNr() < 0 ? "" : " line " + at.getLineNr() + " column " + at.getColumnNr();
            throw new BadPlanException(where + place + ": not a valid plan: " + e.getOriginalMessage(), e);
        }
        if (plan == null) {
            throw new BadPlanException(where + ": empty; expected a plan (version, defaults, guests)");
        }
        check(Path.of(where), plan);
        return plan;
    }

    private static void check(Path file, Plan plan) {
        if (plan.version() != Plan.VERSION) {
            throw new BadPlanException(file + ": plan version " + plan.version() + " is not supported (expected "
                    + Plan.VERSION + ")");
        }
        if (plan.hookTimeoutSeconds() != null && plan.hookTimeoutSeconds() <= 0) {
            throw new BadPlanException(file + ": hookTimeoutSeconds must be positive");
        }
        checkOptions(file, "defaults", plan.defaults());
        Set<String> names = new HashSet<>();
        for (PlanEntry e : plan.guests()) {
            if (e.name() == null || !NAME.matcher(e.name()).matches()) {
                throw new BadPlanException(file + ": guest name " + (e.name() == null ? "missing" : "'" + e.name() + "'")
                        + ": use letters, digits, '.', '_', '+', '-' (not starting with '.'), at most 200 characters");
            }
            if (!names.add(e.name())) {
                throw new BadPlanException(file + ": guest name " + e.name() + " appears twice; names must be unique");
            }
            if (e.source() == null || e.source().isBlank()) {
                throw new BadPlanException(file + ": guest " + e.name() + " has no source (its definition file)");
            }
            checkOptions(file, "guest " + e.name() + " options", e.options());
        }
    }

    private static void checkOptions(Path file, String where, Map<String, Object> options) {
        for (Map.Entry<String, Object> o : options.entrySet()) {
            if (!OPTION_KEY.matcher(o.getKey()).matches()) {
                throw new BadPlanException(file + ": " + where + ": '" + o.getKey()
                        + "' is not an option name (write convert's long option without the dashes, e.g. output-dir)");
            }
            Object v = o.getValue();
            if (v instanceof List<?> list) {
                for (Object item : list) {
                    if (!isScalar(item)) {
                        throw new BadPlanException(file + ": " + where + ": " + o.getKey()
                                + ": a list of plain values expected");
                    }
                }
            } else if (!isScalar(v)) {
                throw new BadPlanException(file + ": " + where + ": " + o.getKey()
                        + ": expected a string, number, true/false or a list");
            }
        }
    }

    private static boolean isScalar(Object v) {
        return v instanceof String || v instanceof Number || v instanceof Boolean;
    }
}
