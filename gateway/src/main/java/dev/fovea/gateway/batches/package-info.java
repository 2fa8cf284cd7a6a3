/**
 * OpenAI's Batch API on the Kafka job queue (docs/jobs.md, "OpenAI batches"): {@code /v1/files} keeps JSONL files
 * in compacted topics, {@code /v1/batches} turns each line into a job, and a driver — one gateway replica per batch,
 * chosen by a consumer group — submits the lines, follows their results and writes the output and error files.
 */
package dev.fovea.gateway.batches;
