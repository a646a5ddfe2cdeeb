/**
 * The JSON writer for what xen2kvm prints: pretty documents ({@code inspect --json},
 * {@code convert --json}) and one-line JSON-lines events, in a stable key order. It is a thin
 * layer over Jackson's streaming generator (the library plans, state and reports use) that
 * keeps the output format of the stable contracts byte for byte. The strict parser that reads
 * them back lives with the tests.
 */
package org.xen2kvm.json;
