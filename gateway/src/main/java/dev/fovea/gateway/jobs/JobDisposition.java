package dev.fovea.gateway.jobs;

import org.apache.kafka.common.header.Headers;

/**
 * What one requests-topic record turns into, written in the transaction that also commits its offset.
 *
 * @param resultKey       the job id of the result record; null when there is none (an id-less poison record, or a
 *                        job whose result was already written)
 * @param result          the result's JSON bytes, or null
 * @param deadLetterValue the original record value for the dead-letter topic, or null
 * @param deadLetterKey   its key (the job id when known, else the original key)
 * @param deadLetterHeaders the original headers plus the reason
 * @param state           how it ended, for metrics (succeeded, failed, expired, rejected, skipped)
 */
record JobDisposition(String resultKey, byte[] result, String deadLetterKey, byte[] deadLetterValue,
                      Headers deadLetterHeaders, String state) {
    boolean deadLettered() {
        return deadLetterHeaders != null;
    }
}
