package dev.fovea.gateway.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import dev.fovea.gateway.openai.GrpcChatRequests;
import dev.fovea.proto.v1.GetJobRequest;
import dev.fovea.proto.v1.Job;
import dev.fovea.proto.v1.JobServiceGrpc;
import dev.fovea.proto.v1.JobState;
import dev.fovea.proto.v1.JobStatus;
import dev.fovea.proto.v1.SubmitJobsRequest;
import dev.fovea.proto.v1.SubmitJobsResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** {@code fovea.v1.JobService}: the HTTP job API over gRPC; jobs go to the topic as binary protobuf. */
@GrpcService
public class JobGrpcService extends JobServiceGrpc.JobServiceImplBase {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(JobGrpcService.class);
    private final JobSettings settings;
    private final GatewaySettings gateway;
    private final JobSubmitter submitter;
    private final JobResultsView view;
    private final JobMetrics metrics;
    private final ObjectMapper mapper = new ObjectMapper();

    JobGrpcService(JobSettings settings, GatewaySettings gateway, JobSubmitter submitter, JobResultsView view,
                   JobMetrics metrics) {
        this.settings = settings;
        this.gateway = gateway;
        this.submitter = submitter;
        this.view = view;
        this.metrics = metrics;
    }

    @Override
    @Blocking
    public void submitJobs(SubmitJobsRequest request, StreamObserver<SubmitJobsResponse> observer) {
        if (!enabled(observer)) {
            return;
        }
        String batch = request.getBatch().isBlank() ? "batch-" + UUID.randomUUID() : request.getBatch();
        if (request.getJobsCount() == 0 || request.getJobsCount() > settings.maxJobsPerSubmission()) {
            invalid(observer, "a submission holds 1 to " + settings.maxJobsPerSubmission()
                    + " jobs (fovea.jobs.max-jobs-per-submission), got " + request.getJobsCount());
            return;
        }
        if (batch.length() > JobCodec.MAX_ID) {
            invalid(observer, "batch is longer than " + JobCodec.MAX_ID + " characters");
            return;
        }
        List<JobSubmitter.Outgoing> outgoing = new ArrayList<>();
        SubmitJobsResponse.Builder answer = SubmitJobsResponse.newBuilder().setBatch(batch);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < request.getJobsCount(); i++) {
            Job job = request.getJobs(i);
            Job.Builder filled = job.toBuilder();
            if (job.getId().isBlank()) {
                filled.setId(JobCodec.newId());
            }
            if (job.getBatch().isBlank()) {
                filled.setBatch(batch);
            }
            try {
                if (!job.hasRequest()) {
                    throw ApiException.badRequest("the job has no request", "request", "invalid_request");
                }
                if (filled.getId().length() > JobCodec.MAX_ID || filled.getBatch().length() > JobCodec.MAX_ID) {
                    throw ApiException.badRequest("id and batch are at most " + JobCodec.MAX_ID + " characters",
                            "id", "invalid_value");
                }
                if (job.getClientRef().length() > JobCodec.MAX_CLIENT_REF) {
                    throw ApiException.badRequest("client_ref is at most " + JobCodec.MAX_CLIENT_REF + " characters",
                            "client_ref", "invalid_value");
                }
                GrpcChatRequests.toRequest(job.getRequest(), gateway.maxMessages());
            } catch (ApiException e) {
                invalid(observer, "job " + (i + 1) + ": " + e.getMessage());
                return;
            }
            if (!ids.add(filled.getId())) {
                invalid(observer, "job " + (i + 1) + ": id " + filled.getId() + " appears twice");
                return;
            }
            outgoing.add(new JobSubmitter.Outgoing(filled.getId(), filled.getBatch(), filled.build().toByteArray(),
                    JobHeaders.PROTOBUF, job.getPriority()));
            answer.addJobIds(filled.getId());
        }
        try {
            submitter.submit(batch, outgoing);
        } catch (ApiException e) {
            observer.onError(GrpcChatRequests.status(e));
            return;
        }
        metrics.submitted("grpc", outgoing.size());
        observer.onNext(answer.build());
        observer.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<JobStatus> observer) {
        if (!enabled(observer)) {
            return;
        }
        if (request.getId().isEmpty() || request.getId().length() > JobCodec.MAX_ID) {
            // the id is not echoed: a status description rides in a header of bounded size
            invalid(observer, "id must hold 1 to " + JobCodec.MAX_ID + " characters, got "
                    + request.getId().length());
            return;
        }
        Optional<byte[]> result = view.result(request.getId());
        if (result.isPresent()) {
            try {
                observer.onNext(JobResultJson.toProto(mapper.readTree(result.get())));
                observer.onCompleted();
            } catch (IOException | IllegalArgumentException e) {
                LOG.errorf(e, "the stored result of job %s cannot be read", request.getId());
                observer.onError(Status.INTERNAL.withDescription("the stored result of this job cannot be read")
                        .asRuntimeException());
            }
            return;
        }
        Optional<String> batch = submitter.queuedBatch(request.getId());
        if (batch.isPresent()) {
            observer.onNext(JobStatus.newBuilder().setId(request.getId()).setBatch(batch.get())
                    .setState(JobState.JOB_STATE_QUEUED).build());
            observer.onCompleted();
            return;
        }
        observer.onError(Status.NOT_FOUND.withDescription("no job '" + request.getId() + "' is known here")
                .asRuntimeException());
    }

    private static void invalid(StreamObserver<?> observer, String message) {
        LOG.infof("JobService: INVALID_ARGUMENT: %s", message);
        observer.onError(Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException());
    }

    private boolean enabled(StreamObserver<?> observer) {
        if (settings.enabled()) {
            return true;
        }
        observer.onError(Status.UNIMPLEMENTED.withDescription("the job API is off on this gateway (fovea.jobs.enabled)")
                .asRuntimeException());
        return false;
    }
}
