package org.xen2kvm.cli;

import java.util.List;
import org.xen2kvm.Cancellation;
import org.xen2kvm.batch.BadPlanException;
import org.xen2kvm.batch.GuestConverter;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionResult;
import org.xen2kvm.pipeline.Converter;
import picocli.CommandLine;

/**
 * A plan guest's conversion, in this process: its {@code convert} command line is parsed into
 * a fresh {@link ConvertCommand}, whose {@link ConvertCommand#request()} is run by
 * {@link Converter#run}. Every convert option, present or future, therefore works in a plan
 * exactly as on the command line.
 */
final class PlanConverter implements GuestConverter {
    private final Cancellation cancellation;

    /** Conversions that stop when this process is interrupted ({@link Cancellation#process()}). */
    PlanConverter() {
        this(Cancellation.process());
    }

    /** Conversions that stop when {@code cancellation} is set: give the plan runner the same one. */
    PlanConverter(Cancellation cancellation) {
        this.cancellation = cancellation;
    }

    @Override
    public void check(String guest, List<String> args) {
        try {
            parse(args).request();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            throw new BadPlanException("guest " + guest + ": " + ErrorHandler.message(e), e);
        }
    }

    @Override
    public ConversionResult convert(List<String> args, ConversionListener listener) throws Exception {
        return Converter.run(parse(args).request(), listener, cancellation);
    }

    private static ConvertCommand parse(List<String> args) {
        ConvertCommand command = new ConvertCommand();
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.parseArgs(args.toArray(String[]::new));
        return command;
    }
}
