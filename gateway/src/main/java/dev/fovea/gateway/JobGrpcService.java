package dev.fovea.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
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
            observer.onError(Status.INVALID_ARGUMENT.withDescription("a submission holds 1 to "
                    + settings.maxJobsPerSubmission() + " jobs, got " + request.getJobsCount()).asRuntimeException());
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
                GrpcChatRequests.toRequest(job.getRequest(), gateway.defaultMaxTokens());
            } catch (ApiException e) {
                observer.onError(Status.INVALID_ARGUMENT.withDescription("job " + (i + 1) + ": " + e.getMessage())
                        .asRuntimeException());
                return;
            }
            if (!ids.add(filled.getId())) {
                observer.onError(Status.INVALID_ARGUMENT.withDescription("job " + (i + 1) + ": id " + filled.getId()
                        + " appears twice").asRuntimeException());
                return;
            }
            outgoing.add(new JobSubmitter.Outgoing(filled.getId(), filled.getBatch(), filled.build().toByteArray(),
                    JobCodec.PROTOBUF, job.getPriority()));
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
        Optional<byte[]> result = view.result(request.getId());
        if (result.isPresent()) {
            try {
                observer.onNext(JobResultJson.toProto(mapper.readTree(result.get())));
                observer.onCompleted();
            } catch (IOException | IllegalArgumentException e) {
                observer.onError(Status.INTERNAL.withDescription("unreadable result: " + e.getMessage())
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

    private boolean enabled(StreamObserver<?> observer) {
        if (settings.enabled()) {
            return true;
        }
        observer.onError(Status.UNIMPLEMENTED.withDescription("the job API is off on this gateway (fovea.jobs.enabled)")
                .asRuntimeException());
        return false;
    }
}
