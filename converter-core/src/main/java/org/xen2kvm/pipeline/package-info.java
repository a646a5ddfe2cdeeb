/**
 * The conversion pipeline: composes the stages (read definition, plan, open disks behind
 * copy-on-write overlays, inspect, edit, copy, write XML, register) and cleans up after a
 * failure. Emits events; never prints.
 */
package org.xen2kvm.pipeline;
