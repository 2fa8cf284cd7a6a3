package dev.fovea.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** Which failures mark a replica gone (retried elsewhere, shown as 503) and which are the request's or a bug. */
class ReplicaGoneTest {
    /** What grpc-netty reports when a call's connection closes before the transport learnt why (a killed replica). */
    private static final Status CLOSED_UNDER_THE_CALL = Status.UNKNOWN.withDescription("channel closed")
            .withCause(new ClosedChannelException());

    @Test
    void anUnreachableReplicaAndAConnectionClosedUnderTheCallAreGone() {
        assertThat(ReplicaHealth.replicaGone(Status.UNAVAILABLE.withDescription("io exception"))).isTrue();
        assertThat(ReplicaHealth.replicaGone(CLOSED_UNDER_THE_CALL)).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(ReplicaHealth.replicaGone(Status.UNKNOWN.withDescription("channel closed"))).isFalse();
        assertThat(ReplicaHealth.replicaGone(Status.UNKNOWN.withCause(new IOException("x")))).isFalse();
        assertThat(ReplicaHealth.replicaGone(Status.INTERNAL.withDescription("bug"))).isFalse();
        assertThat(ReplicaHealth.replicaGone(Status.INVALID_ARGUMENT.withDescription("bad image"))).isFalse();
        assertThat(ReplicaHealth.replicaGone(Status.RESOURCE_EXHAUSTED)).isFalse();
    }

    @Test
    void theClientSeesAClosedConnectionAsRetriableAndABugAsABackendError() {
        assertThat(BackendCalls.toApi(CLOSED_UNDER_THE_CALL.asRuntimeException(), "encoder:clip", "127.0.0.1:1",
                "Encode").status()).isEqualTo(503);
        assertThat(BackendCalls.toApi(Status.UNKNOWN.withDescription("boom").asRuntimeException(), "encoder:clip",
                "127.0.0.1:1", "Encode").status()).isEqualTo(502);
        assertThat(BackendCalls.toApi(Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException(),
                "encoder:clip", "127.0.0.1:1", "Encode").status()).isEqualTo(400);
    }
}
