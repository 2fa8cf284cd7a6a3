package dev.fovea.adapterservice;

import dev.fovea.engine.adapter.Projector;
import dev.fovea.engine.adapter.ProjectorRegistry;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.tensor.Parallel;
import dev.fovea.engine.vision.tiling.AnyResAssembler;
import dev.fovea.engine.vision.tiling.AnyResTiling;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** The configured projectors, loaded once; their GGUF files stay mapped while the service runs. */
@ApplicationScoped
@Startup
public class AdapterRuntime {
    private static final Logger LOG = Logger.getLogger(AdapterRuntime.class);

    /** An adapter's LLaVA-1.6 assembly data: the file's AnyRes plan and newline embedding (both may be null). */
    record AnyRes(AnyResTiling tiling, float[] newline) {
    }

    private final Map<String, Projector> projectors = new LinkedHashMap<>();
    private final Map<String, AnyRes> anyRes = new LinkedHashMap<>();
    private final List<GgufFile> files = new ArrayList<>();
    private final Parallel pool;

    AdapterRuntime(AdapterSettings settings) throws IOException {
        pool = settings.threads() > 0 ? Parallel.create(settings.threads()) : Parallel.shared();
        if (settings.files().isEmpty()) {
            throw new IllegalStateException("no adapters configured (fovea.adapter.files.<id>=<gguf>)");
        }
        for (var e : settings.files().entrySet()) {
            GgufFile f = GgufFile.open(Path.of(e.getValue()));
            files.add(f);
            Projector p = ProjectorRegistry.load(f);
            projectors.put(e.getKey(), p);
            anyRes.put(e.getKey(), new AnyRes(AnyResTiling.fromGguf(f), AnyResAssembler.readNewline(f)));
            LOG.infof("adapter %s: %s → %d wide, from %s", e.getKey(), p.kind(), p.outputDim(), e.getValue());
        }
    }

    Projector projector(String id) {
        Projector p = projectors.get(id);
        if (p == null) {
            throw new IllegalArgumentException("unknown adapter '" + id + "' (configured: " + projectors.keySet() + ")");
        }
        return p;
    }

    AnyRes anyRes(String id) {
        projector(id);
        return anyRes.get(id);
    }

    Parallel pool() {
        return pool;
    }

    @PreDestroy
    void close() {
        files.forEach(GgufFile::close);
    }
}
