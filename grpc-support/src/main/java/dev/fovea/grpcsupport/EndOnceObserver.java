package dev.fovea.grpcsupport;

import io.grpc.stub.StreamObserver;

/**
 * A call's outgoing messages when more than one thread may end it (the call's own work and a drain that ends it):
 * the first onCompleted or onError ends the stream; later messages are dropped instead of failing in gRPC with
 * "call already closed".
 */
public final class EndOnceObserver<T> implements StreamObserver<T> {
    private final StreamObserver<T> target;
    private boolean ended;

    public EndOnceObserver(StreamObserver<T> target) {
        this.target = target;
    }

    public synchronized boolean ended() {
        return ended;
    }

    @Override
    public synchronized void onNext(T value) {
        if (!ended) {
            target.onNext(value);
        }
    }

    /** The last message and the end of the stream, or nothing if the stream has already ended. */
    public synchronized void last(T value) {
        if (!ended) {
            ended = true;
            target.onNext(value);
            target.onCompleted();
        }
    }

    @Override
    public synchronized void onError(Throwable error) {
        if (!ended) {
            ended = true;
            target.onError(error);
        }
    }

    @Override
    public synchronized void onCompleted() {
        if (!ended) {
            ended = true;
            target.onCompleted();
        }
    }
}
