/**
 * A small JSON writer and strict parser for the reports xen2kvm prints ({@code inspect --json})
 * and for tests that read them back. No dependency: the reports are small and their key
 * order must be stable.
 */
package org.xen2kvm.json;
