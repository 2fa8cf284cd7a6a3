package dev.fovea.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-document YAML → fabric8 objects. Known kinds become their model classes (Deployment, Service, HPA, ...);
 * CRDs the model does not know (KEDA, Strimzi) become GenericKubernetesResource.
 */
final class ManifestLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    private ManifestLoader() {
    }

    static List<HasMetadata> parse(String yaml, String source) {
        List<HasMetadata> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue; // an empty document between two "---"
                }
                if (!doc.hasNonNull("apiVersion") || !doc.hasNonNull("kind")) {
                    throw new IllegalArgumentException(source + ": a document without apiVersion/kind: " + doc);
                }
                KubernetesResource r = KUBERNETES.convertValue(doc, KubernetesResource.class);
                if (!(r instanceof HasMetadata resource)) {
                    throw new IllegalArgumentException(source + ": " + doc.get("kind") + " has no metadata");
                }
                out.add(resource);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not YAML: " + e.getMessage(), e);
        }
        return out;
    }
}
