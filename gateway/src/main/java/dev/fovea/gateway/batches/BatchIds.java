package dev.fovea.gateway.batches;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The ids of files, batches and their requests, in OpenAI's shapes. New ids start with the time in hex, so they sort
 * by creation; ids of what a batch produces derive from the batch's, so a driver that redoes a step (after a crash or
 * a rebalance) writes the same records again instead of new ones.
 */
final class BatchIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private BatchIds() {
    }

    static String newFile() {
        return "file-" + timeAndRandom();
    }

    static String newBatch() {
        return "batch_" + timeAndRandom();
    }

    static String outputFile(String batchId) {
        return "file-" + hash(batchId + "/output", 24);
    }

    static String errorFile(String batchId) {
        return "file-" + hash(batchId + "/errors", 24);
    }

    /** The job of the batch's {@code index}-th request (0-based): resubmitting the batch queues the same ids. */
    static String job(String batchId, int index) {
        return batchId + "-" + String.format(Locale.ROOT, "%06d", index + 1);
    }

    /** The {@code id} of an output line. */
    static String request(String jobId) {
        return "batch_req_" + hash(jobId, 32);
    }

    /** The {@code request_id} of an output line's response. */
    static String requestId(String jobId) {
        return "req_" + hash("request/" + jobId, 32);
    }

    private static String timeAndRandom() {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return String.format(Locale.ROOT, "%012x", System.currentTimeMillis()) + HEX.formatHex(random);
    }

    private static String hash(String text, int chars) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest).substring(0, chars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
