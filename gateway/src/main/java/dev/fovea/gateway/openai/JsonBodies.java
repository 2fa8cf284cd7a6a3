package dev.fovea.gateway.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/**
 * The JSON parser of request bodies, with its limits set from the gateway's documented ones rather than Jackson's
 * defaults (whose 20,000,000-character string limit cut data URLs short of max-image-bytes), and its errors told in
 * the gateway's own words: where the JSON breaks, never the parser's class or feature names.
 */
@ApplicationScoped
public class JsonBodies {
    /** Deeper than any OpenAI request or job nests; bounds the parser's and the tree's recursion. */
    static final int MAX_NESTING = 64;

    private final ObjectMapper mapper;

    JsonBodies(GatewaySettings settings) {
        // no string can be longer than the body that holds it: max-body-bytes bounds them all, data URLs included
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxStringLength(Math.max(1, settings.maxBodyBytes()))
                .maxNestingDepth(MAX_NESTING)
                .build();
        this.mapper = new ObjectMapper(JsonFactory.builder().streamReadConstraints(limits).build());
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** One JSON value; an empty body is an error. */
    public JsonNode read(byte[] body) {
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the request body is empty; it must be JSON", null, "invalid_json");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw invalid(e, "the request body");
        } catch (IOException e) {
            throw ApiException.badRequest("the request body cannot be read", null, "invalid_json");
        }
    }

    public JsonParser parser(byte[] body) throws IOException {
        return mapper.createParser(body);
    }

    /** A parse error as a 400 that says where, or which documented limit it broke. */
    public static ApiException invalid(JsonProcessingException e, String what) {
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.contains("esting")) {
                return ApiException.badRequest(what + " is JSON nested deeper than " + MAX_NESTING + " levels", null,
                        "invalid_json");
            }
            if (m.contains("umber")) {
                return ApiException.badRequest(what + " holds a number with too many digits", null, "invalid_json");
            }
            return ApiException.tooLarge(what + " holds a value longer than fovea.gateway.max-body-bytes allows");
        }
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column "
                + at.getColumnNr();
        return ApiException.badRequest(what + " is not valid JSON" + where, null, "invalid_json");
    }
}
