package dev.fovea.engine.constrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a JSON schema (the subset OpenAI's strict structured outputs use: {@code type} (also as a list),
 * {@code properties}, {@code required}, {@code additionalProperties}, {@code items}, {@code minItems},
 * {@code maxItems}, {@code enum}, {@code const}, {@code anyOf}/{@code oneOf}, {@code $ref} into {@code $defs} or
 * {@code definitions}) into a {@link JsonSchema}. Every other validation keyword is refused by name, so that a
 * schema is either enforced completely or not accepted; annotations (title, description, default, ...) are ignored.
 */
final class JsonSchemaCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema",
            "$id", "$comment", "strict", "name", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> HANDLED = Set.of("type", "properties", "required", "additionalProperties",
            "items", "minItems", "maxItems", "enum", "const", "anyOf", "oneOf", "$ref", "minLength", "maxLength");
    /** How deep anyOf alternatives are resolved through references when checking their first bytes. */
    private static final int MAX_REF_CHAIN = 32;

    private final JsonNode root;
    private final Map<String, JsonSchema> resolved = new HashMap<>();

    private JsonSchemaCompiler(JsonNode root) {
        this.root = root;
    }

    private JsonSchema node(JsonNode n, String path) {
        if (n.isBoolean()) {
            if (!n.booleanValue()) {
                throw new UnsupportedSchemaException("schema at " + path + " is false: no value can match it");
            }
            return new JsonSchema.Any();
        }
        if (!n.isObject()) {
            throw new UnsupportedSchemaException("schema at " + path + " must be an object");
        }
        List<String> unsupported = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!HANDLED.contains(k) && !ANNOTATIONS.contains(k)) {
                unsupported.add(k);
            }
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedSchemaException("unsupported schema keyword" + (unsupported.size() > 1 ? "s " : " ")
                    + String.join(", ", unsupported) + " at " + path + " (supported: type, properties, required,"
                    + " additionalProperties, items, minItems, maxItems, minLength, maxLength, enum, const, anyOf, oneOf, $ref)");
        }
        if (n.has("$ref")) {
            if (n.size() > 1 && hasOtherThan(n, "$ref")) {
                throw new UnsupportedSchemaException("$ref beside other keywords at " + path + " is not supported");
            }
            return ref(n.get("$ref").asText(), path);
        }
        if (n.has("const")) {
            return new JsonSchema.Literal(List.of(literal(n.get("const"))));
        }
        if (n.has("enum")) {
            JsonNode e = n.get("enum");
            if (!e.isArray() || e.isEmpty()) {
                throw new UnsupportedSchemaException("enum at " + path + " must be a non-empty array");
            }
            List<String> texts = new ArrayList<>();
            for (JsonNode v : e) {
                texts.add(literal(v));
            }
            return new JsonSchema.Literal(List.copyOf(new LinkedHashSet<>(texts)));
        }
        String alternativesKey = n.has("anyOf") ? "anyOf" : n.has("oneOf") ? "oneOf" : null;
        if (alternativesKey != null) {
            if (n.has("type") || n.has("properties") || n.has("items")) {
                throw new UnsupportedSchemaException(alternativesKey + " beside type, properties or items at "
                        + path + " is not supported: put them inside each alternative");
            }
            JsonNode alts = n.get(alternativesKey);
            if (!alts.isArray() || alts.isEmpty()) {
                throw new UnsupportedSchemaException(alternativesKey + " at " + path + " must be a non-empty array");
            }
            List<JsonSchema> list = new ArrayList<>();
            for (int i = 0; i < alts.size(); i++) {
                list.add(node(alts.get(i), path + "/" + alternativesKey + "/" + i));
            }
            return anyOf(list, path + "/" + alternativesKey);
        }
        JsonNode type = n.get("type");
        if (type == null) {
            if (n.has("properties") || n.has("additionalProperties") || n.has("required")) {
                return object(n, path);
            }
            if (n.has("items")) {
                return array(n, path);
            }
            return new JsonSchema.Any();
        }
        if (type.isArray()) {
            List<JsonSchema> list = new ArrayList<>();
            for (JsonNode t : type) {
                list.add(typed(t.asText(), n, path));
            }
            if (list.isEmpty()) {
                throw new UnsupportedSchemaException("type at " + path + " is an empty list");
            }
            return list.size() == 1 ? list.get(0) : anyOf(list, path + "/type");
        }
        return typed(type.asText(), n, path);
    }

    private static boolean hasOtherThan(JsonNode n, String key) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals(key) && !ANNOTATIONS.contains(k)) {
                return true;
            }
        }
        return false;
    }

    private JsonSchema typed(String type, JsonNode n, String path) {
        return switch (type) {
            case "object" -> object(n, path);
            case "array" -> array(n, path);
            case "string" -> string(n, path);
            case "number" -> new JsonSchema.Num(false);
            case "integer" -> new JsonSchema.Num(true);
            case "boolean" -> new JsonSchema.Literal(List.of("true", "false"));
            case "null" -> new JsonSchema.Literal(List.of("null"));
            default -> throw new UnsupportedSchemaException("unknown type '" + type + "' at " + path);
        };
    }

    private JsonSchema object(JsonNode n, String path) {
        Map<String, JsonSchema> props = new LinkedHashMap<>();
        JsonNode p = n.get("properties");
        if (p != null) {
            if (!p.isObject()) {
                throw new UnsupportedSchemaException("properties at " + path + " must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                for (char ch : name.toCharArray()) {
                    if (ch == '"' || ch == '\\' || ch < 0x20) {
                        throw new UnsupportedSchemaException("property name " + JSON.valueToTree(name)
                                + " at " + path + " needs escaping in JSON, which is not supported");
                    }
                }
                props.put(bytes(name), node(e.getValue(), path + "/properties/" + name));
            }
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode r = n.get("required");
        if (r != null) {
            if (!r.isArray()) {
                throw new UnsupportedSchemaException("required at " + path + " must be an array");
            }
            for (JsonNode k : r) {
                String key = bytes(k.asText());
                if (!props.containsKey(key)) {
                    throw new UnsupportedSchemaException("required property '" + k.asText() + "' at " + path
                            + " is not among its properties");
                }
                required.add(key);
            }
        }
        JsonNode ap = n.get("additionalProperties");
        JsonSchema additional = null;
        if (props.isEmpty()) {
            if (ap == null || ap.isBoolean() && ap.booleanValue()) {
                additional = new JsonSchema.Any();
            } else if (ap.isObject()) {
                additional = node(ap, path + "/additionalProperties");
            }
            // additionalProperties false without properties: only {}
        } else if (ap != null && ap.isObject()) {
            throw new UnsupportedSchemaException("additionalProperties with a schema beside properties at " + path
                    + " is not supported");
        }
        // beside properties, additionalProperties true is not used: generation writes the declared keys only
        return new JsonSchema.Object(java.util.Collections.unmodifiableMap(props), Set.copyOf(required),
                additional);
    }

    private static JsonSchema string(JsonNode n, String path) {
        int min = n.has("minLength") ? n.get("minLength").asInt() : 0;
        int max = n.has("maxLength") ? n.get("maxLength").asInt() : Integer.MAX_VALUE;
        if (min < 0 || max < min) {
            throw new UnsupportedSchemaException("minLength/maxLength at " + path + " admit no string");
        }
        return min == 0 && max == Integer.MAX_VALUE ? JsonSchema.Str.ANY : new JsonSchema.Str(min, max);
    }

    private JsonSchema array(JsonNode n, String path) {
        JsonNode items = n.get("items");
        JsonSchema itemSchema = items == null ? new JsonSchema.Any() : node(items, path + "/items");
        int min = n.has("minItems") ? n.get("minItems").asInt() : 0;
        int max = n.has("maxItems") ? n.get("maxItems").asInt() : Integer.MAX_VALUE;
        if (min < 0 || max < min) {
            throw new UnsupportedSchemaException("minItems/maxItems at " + path + " admit no array");
        }
        return new JsonSchema.Array(itemSchema, min, max);
    }

    private JsonSchema ref(String ref, String path) {
        String name;
        if (ref.equals("#")) {
            name = "#";
        } else if (ref.startsWith("#/$defs/") || ref.startsWith("#/definitions/")) {
            name = ref;
        } else {
            throw new UnsupportedSchemaException("$ref '" + ref + "' at " + path + " is not supported (only #,"
                    + " #/$defs/NAME and #/definitions/NAME)");
        }
        JsonNode target = name.equals("#") ? root : root.at(name.substring(1));
        if (target.isMissingNode()) {
            throw new UnsupportedSchemaException("$ref '" + ref + "' at " + path + " names no definition");
        }
        resolved.putIfAbsent(name, null);
        return new JsonSchema.Ref(name, () -> resolved.get(name));
    }

    /** Compiles every referenced definition once (references to them were left lazy for recursion). */
    private void resolveAll() {
        boolean again = true;
        while (again) {
            again = false;
            for (String name : List.copyOf(resolved.keySet())) {
                if (resolved.get(name) == null) {
                    JsonNode target = name.equals("#") ? root : root.at(name.substring(1));
                    resolved.put(name, new JsonSchema.Any()); // placeholder while compiling a self-reference
                    resolved.put(name, node(target, name));
                    again = true;
                }
            }
        }
        for (String name : resolved.keySet()) {
            firstBytes(resolved.get(name), name, 0); // a reference that only loops is refused here
        }
    }

    private JsonSchema anyOf(List<JsonSchema> list, String path) {
        List<JsonSchema> flat = new ArrayList<>();
        for (JsonSchema s : list) {
            if (s instanceof JsonSchema.AnyOf a) {
                flat.addAll(a.alternatives());
            } else {
                flat.add(s);
            }
        }
        // literals merge into one (e.g. boolean | null)
        List<String> literals = new ArrayList<>();
        List<JsonSchema> others = new ArrayList<>();
        for (JsonSchema s : flat) {
            if (s instanceof JsonSchema.Literal l) {
                literals.addAll(l.texts());
            } else {
                others.add(s);
            }
        }
        if (!literals.isEmpty()) {
            others.add(new JsonSchema.Literal(List.copyOf(new LinkedHashSet<>(literals))));
        }
        if (others.size() == 1) {
            return others.get(0);
        }
        JsonSchema.AnyOf result = new JsonSchema.AnyOf(List.copyOf(others));
        pendingAnyOf.add(Map.entry(path, result));
        return result;
    }

    private final List<Map.Entry<String, JsonSchema.AnyOf>> pendingAnyOf = new ArrayList<>();

    /** The bytes a value of {@code s} can start with; refuses alternatives that share one. */
    boolean[] firstBytes(JsonSchema s, String path, int depth) {
        if (depth > MAX_REF_CHAIN) {
            throw new UnsupportedSchemaException("$ref chain at " + path + " does not reach a schema");
        }
        boolean[] set = new boolean[256];
        switch (s) {
            case JsonSchema.Any a -> {
                for (char ch : "{[\"-0123456789tfn".toCharArray()) {
                    set[ch] = true;
                }
            }
            case JsonSchema.Object o -> set['{'] = true;
            case JsonSchema.Array a -> set['['] = true;
            case JsonSchema.Str t -> set['"'] = true;
            case JsonSchema.Num num -> {
                for (char ch : "-0123456789".toCharArray()) {
                    set[ch] = true;
                }
            }
            case JsonSchema.Literal l -> {
                for (String t : l.texts()) {
                    set[t.charAt(0) & 0xFF] = true;
                }
            }
            case JsonSchema.Ref r -> {
                JsonSchema t = r.target().get();
                return t == null ? set : firstBytes(t, path, depth + 1);
            }
            case JsonSchema.AnyOf any -> {
                for (int i = 0; i < any.alternatives().size(); i++) {
                    boolean[] alt = firstBytes(any.alternatives().get(i), path, depth + 1);
                    for (int b = 0; b < 256; b++) {
                        set[b] |= alt[b];
                    }
                }
            }
        }
        return set;
    }

    /** The schema tree of {@code schemaJson}; anyOf alternatives are checked once every reference is resolved. */
    static JsonSchema compile(String schemaJson) {
        JsonNode node;
        try {
            node = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new UnsupportedSchemaException("the schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !(node.isObject() || node.isBoolean())) {
            throw new UnsupportedSchemaException("the schema must be a JSON object");
        }
        JsonSchemaCompiler c = new JsonSchemaCompiler(node);
        JsonSchema s = c.node(node, "#");
        c.resolveAll();
        for (Map.Entry<String, JsonSchema.AnyOf> e : c.pendingAnyOf) {
            c.firstBytes(e.getValue(), e.getKey(), 0);
        }
        return s;
    }

    private static String literal(JsonNode v) {
        try {
            return bytes(JSON.writeValueAsString(v));
        } catch (JsonProcessingException e) {
            throw new UnsupportedSchemaException("enum value " + v + " cannot be written as JSON");
        }
    }

    /** The UTF-8 bytes of {@code s}, one char per byte. */
    static String bytes(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
