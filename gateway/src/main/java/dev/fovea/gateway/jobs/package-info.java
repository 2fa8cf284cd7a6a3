/**
 * The Kafka job queue (docs/jobs.md): submission over HTTP and gRPC, the worker and its transactional commits, the
 * view of the results topic, and the records' wire forms and headers.
 */
package dev.fovea.gateway.jobs;
