/**
 * The entry point of the config readers: detects which kind of Xen guest definition a file
 * holds and hands it to the reader for that format.
 */
package org.xen2kvm.config.read;
