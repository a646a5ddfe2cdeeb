/**
 * A small JSON writer for what xen2kvm prints: pretty documents ({@code inspect --json},
 * {@code convert --json}) and one-line JSON-lines events. No dependency: the reports are
 * small and their key order must be stable. The strict parser that reads them back lives
 * with the tests.
 */
package org.xen2kvm.json;
