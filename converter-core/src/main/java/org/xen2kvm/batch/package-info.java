/**
 * Plans: many guests converted as one job. A {@link Plan} (YAML that people edit) lists the
 * guests of a Xen host found by {@link DefinitionScanner}, with plan-wide and per-guest convert
 * options; {@link PlanRunner} converts them wave by wave, several at a time, keeping each
 * guest's {@link GuestState} in a file beside the plan ({@link StateStore}) so re-runs, shards
 * on other hosts and runs killed part-way all pick up where things are. Which convert options
 * exist is not known here: options travel as a map of option names to values and become a
 * command line ({@link ConvertArguments}) that the caller's {@link GuestConverter} turns into a
 * conversion.
 */
package org.xen2kvm.batch;
