package dev.fovea.engine.pipeline;

import dev.fovea.engine.llm.DecoderModel;
import dev.fovea.engine.llm.KvCache;
import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: one thread steps every running sequence together through {@link DecoderModel#forwardBatch},
 * and new requests join at the next step with their whole input. A request whose input plus token limit exceeds
 * the context is refused up front. KV memory is reserved per request (input plus its token limit) against a budget; requests wait in FIFO order while it is spent. Finished sequences go to a
 * {@link PrefixCache}, so a later request sharing their prefix (e.g. the next chat turn about the same image)
 * starts from a copy of those positions.
 *
 * <p>Results are batch-invariant: the decoder reduces every output element in a fixed order, so a request's
 * tokens do not depend on the other requests in its batch, nor on whether its prefix came from the cache.
 */
public final class BatchScheduler implements AutoCloseable {

    /**
     * @param maxBatch        most sequences stepped together
     * @param kvBudgetBytes   KV memory the running sequences may hold together
     * @param prefixCacheBytes KV memory kept for finished sequences' prefixes (0 disables)
     * @param maxQueue        most requests waiting; more are refused
     */
    public record Config(int maxBatch, long kvBudgetBytes, long prefixCacheBytes, int maxQueue) {
        public Config {
            if (maxBatch < 1 || kvBudgetBytes <= 0 || prefixCacheBytes < 0 || maxQueue < 0) {
                throw new IllegalArgumentException("invalid scheduler config " + this);
            }
        }
    }

    /** A point-in-time view for metrics. */
    public record Stats(int running, int queued, long kvBytesReserved, long prefixHits, long prefixMisses,
                        long reusedPositions, int prefixEntries, long prefixBytes) {
    }

    /** A submitted request. */
    public interface Submission {
        CompletableFuture<GenerationResult> result();

        /** Stops the request at the next step; its result completes with {@link FinishReason#CANCELLED}. */
        void cancel();

        /** Input positions taken from the prefix cache (known once the request started). */
        int cachedPositions();
    }

    /** Thrown (through the result) when a request cannot be queued. */
    public static final class RejectedException extends RuntimeException {
        public RejectedException(String message) {
            super(message);
        }
    }

    private final DecoderModel model;
    private final Tokenizer tokenizer;
    private final Config config;
    private final PrefixCache prefixCache;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();
    private final Thread loop;
    private final AtomicLong prefixHits = new AtomicLong();
    private final AtomicLong prefixMisses = new AtomicLong();
    private final AtomicLong reusedPositions = new AtomicLong();
    private volatile long kvReserved;
    private volatile boolean closed;

    public BatchScheduler(DecoderModel model, Tokenizer tokenizer, Config config) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.prefixCache = new PrefixCache(config.prefixCacheBytes());
        this.loop = Thread.ofPlatform().name("fovea-batch").daemon().unstarted(this::run);
        loop.start();
    }

    /**
     * Queues a request. Input problems (token ids, embedding widths, context length) are reported right away as an
     * {@link IllegalArgumentException}; a full queue completes the result with a {@link RejectedException}.
     */
    public Submission submit(List<Segment> input, GenerationConfig generation, TokenListener listener) {
        long inputLength = input.stream().mapToLong(Segment::length).sum();
        int context = model.config().contextLength();
        if (inputLength == 0) {
            throw new IllegalArgumentException("empty input");
        }
        ContextFit.check(inputLength, generation.maxTokens(), context);
        for (Segment s : input) {
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    if (id < 0 || id >= model.config().vocabSize()) {
                        throw new IllegalArgumentException("token id " + id + " outside the vocabulary");
                    }
                }
            } else if (s instanceof Segment.Embeddings e && e.count() > 0
                    && e.data().length / e.count() != model.config().embd()) {
                throw new IllegalArgumentException("embedding rows of width " + e.data().length / e.count()
                        + " do not match the model's " + model.config().embd());
            }
        }
        // fits in int: at most the context (the last generated token is never fed back)
        int capacity = (int) Math.min(context, inputLength + Math.max(1, generation.maxTokens()));
        Request r = new Request(List.copyOf(input), capacity,
                new SequenceState(tokenizer, input, generation, listener));
        if (r.kvBytes > config.kvBudgetBytes()) {
            r.result.completeExceptionally(new RejectedException("request needs " + r.kvBytes
                    + " bytes of KV cache, more than the budget of " + config.kvBudgetBytes()));
            return r;
        }
        lock.lock();
        try {
            if (closed) {
                r.result.completeExceptionally(new RejectedException("scheduler is shut down"));
            } else if (queue.size() >= config.maxQueue()) {
                r.result.completeExceptionally(new RejectedException("queue full (" + config.maxQueue() + " waiting)"));
            } else {
                queue.add(r);
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        return r;
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(running.size(), queue.size(), kvReserved, prefixHits.get(), prefixMisses.get(),
                    reusedPositions.get(), prefixCache.size(), prefixCache.bytes());
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            List<Request> batch;
            lock.lock();
            try {
                admit();
                while (running.isEmpty() && !closed) {
                    work.awaitUninterruptibly();
                    admit();
                }
                if (closed) {
                    break;
                }
                batch = new ArrayList<>(running);
            } finally {
                lock.unlock();
            }
            step(batch);
        }
        failAll(new RejectedException("scheduler is shut down"));
    }

    /** Moves queued requests into the running set while the batch and the KV budget allow. Lock held. */
    private void admit() {
        while (!queue.isEmpty() && running.size() < config.maxBatch()
                && kvReserved + queue.peek().kvBytes <= config.kvBudgetBytes()) {
            Request r = queue.poll();
            if (r.cancelled) {
                r.state.end(FinishReason.CANCELLED);
                r.result.complete(r.state.result());
                continue;
            }
            kvReserved += r.kvBytes;
            running.add(r);
        }
    }

    private void step(List<Request> batch) {
        List<Request> stepping = new ArrayList<>(batch.size());
        List<KvCache> caches = new ArrayList<>(batch.size());
        List<List<Segment>> inputs = new ArrayList<>(batch.size());
        for (Request r : batch) {
            if (r.cancelled) {
                r.state.end(FinishReason.CANCELLED);
                finish(r);
                continue;
            }
            try {
                if (r.cache == null) {
                    inputs.add(start(r));
                } else {
                    inputs.add(List.of(Segment.tokens(r.nextToken)));
                }
            } catch (RuntimeException e) {
                fail(r, e);
                continue;
            }
            stepping.add(r);
            caches.add(r.cache);
        }
        if (stepping.isEmpty()) {
            return;
        }
        float[][] logits;
        try {
            logits = model.forwardBatch(caches, inputs);
        } catch (RuntimeException e) {
            for (Request r : stepping) {
                fail(r, e);
            }
            return;
        }
        for (int i = 0; i < stepping.size(); i++) {
            Request r = stepping.get(i);
            int token;
            try {
                token = r.state.accept(logits[i]);
            } catch (RuntimeException e) {
                fail(r, e);
                continue;
            }
            if (token >= 0 && r.cache.length() >= r.cache.capacity()) {
                r.state.end(FinishReason.LENGTH);
                token = -1;
            }
            if (token < 0) {
                finish(r);
            } else {
                long h = PrefixCache.extend(r.hashes[r.hashCount - 1], token);
                r.hashes = append(r.hashes, r.hashCount, h);
                r.hashCount++;
                r.nextToken = token;
            }
        }
    }

    /** Allocates the request's cache, reusing a cached prefix; returns the input still to evaluate. */
    private List<Segment> start(Request r) {
        r.cache = model.newCache(r.capacity);
        long[] hashes = PrefixCache.hashes(r.input);
        r.hashes = Arrays.copyOf(hashes, r.capacity);
        r.hashCount = hashes.length;
        // at least the last input position is evaluated: its logits choose the first token
        PrefixCache.Hit hit = prefixCache.lookup(hashes, hashes.length - 1);
        if (hit != null && cutsGriddedImage(r.input, hit.positions())) {
            hit = null; // an M-RoPE image's rows are evaluated together (they see each other), never resumed inside
        }
        if (hit == null) {
            prefixMisses.incrementAndGet();
            return r.input;
        }
        prefixHits.incrementAndGet();
        reusedPositions.addAndGet(hit.positions());
        r.cache.copyPrefixFrom(hit.cache(), hit.positions());
        r.cachedPositions = hit.positions();
        return dropPositions(r.input, hit.positions());
    }

    private static long[] append(long[] hashes, int at, long value) {
        long[] h = at < hashes.length ? hashes : Arrays.copyOf(hashes, hashes.length * 2);
        h[at] = value;
        return h;
    }

    /** Whether position {@code n} falls strictly inside an image that carries a grid. */
    static boolean cutsGriddedImage(List<Segment> input, int n) {
        int at = 0;
        for (Segment s : input) {
            if (s instanceof Segment.Embeddings e && e.gridded() && at < n && n < at + s.length()) {
                return true;
            }
            at += s.length();
        }
        return false;
    }

    /** The input without its first {@code n} positions. */
    static List<Segment> dropPositions(List<Segment> input, int n) {
        List<Segment> out = new ArrayList<>();
        int skip = n;
        for (Segment s : input) {
            if (skip >= s.length()) {
                skip -= s.length();
                continue;
            }
            if (skip == 0) {
                out.add(s);
            } else {
                switch (s) {
                    case Segment.Tokens t -> out.add(Segment.tokens(Arrays.copyOfRange(t.ids(), skip, t.ids().length)));
                    case Segment.Embeddings e -> {
                        int width = e.data().length / e.count();
                        out.add(Segment.embeddings(Arrays.copyOfRange(e.data(), skip * width, e.data().length),
                                e.count() - skip));
                    }
                }
                skip = 0;
            }
        }
        return out;
    }

    private void finish(Request r) {
        release(r);
        if (r.cache != null && r.state.result().finishReason() != FinishReason.CANCELLED) {
            // the cache holds the input and every generated token but the last (never fed back)
            prefixCache.store(Arrays.copyOf(r.hashes, r.cache.length()), r.cache);
        }
        r.result.complete(r.state.result());
    }

    private void fail(Request r, RuntimeException e) {
        release(r);
        r.result.completeExceptionally(e);
    }

    private void release(Request r) {
        lock.lock();
        try {
            if (running.remove(r)) {
                kvReserved -= r.kvBytes;
            }
        } finally {
            lock.unlock();
        }
    }

    private void failAll(RuntimeException e) {
        lock.lock();
        try {
            for (Request r : running) {
                r.result.completeExceptionally(e);
            }
            for (Request r : queue) {
                r.result.completeExceptionally(e);
            }
            running.clear();
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Request implements Submission {
        final List<Segment> input;
        final int capacity;
        final long kvBytes;
        final SequenceState state;
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        volatile boolean cancelled;
        volatile int cachedPositions;
        KvCache cache;
        long[] hashes;
        int hashCount;
        int nextToken;

        Request(List<Segment> input, int capacity, SequenceState state) {
            this.input = input;
            this.capacity = capacity;
            this.state = state;
            this.kvBytes = 2L * model.config().blockCount() * capacity * model.config().kvDim() * Float.BYTES;
        }

        @Override
        public CompletableFuture<GenerationResult> result() {
            return result;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int cachedPositions() {
            return cachedPositions;
        }
    }
}
