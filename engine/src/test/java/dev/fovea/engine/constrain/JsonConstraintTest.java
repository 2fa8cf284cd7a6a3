package dev.fovea.engine.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The matcher alone: which texts a schema accepts, which prefixes stay open, which schemas are refused. */
class JsonConstraintTest {
    static final String PERSON = """
            {"type":"object","properties":{
              "name":{"type":"string"},
              "age":{"type":"integer"},
              "tags":{"type":"array","items":{"type":"string"},"maxItems":3},
              "role":{"enum":["admin","user"]},
              "address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":["string","null"]}},
                         "required":["city","zip"],"additionalProperties":false}},
             "required":["name","age","tags","role","address"],"additionalProperties":false}""";

    @Test
    void acceptsWholeValuesOfTheSchemaInAnyKeyOrderWithWhitespace() {
        JsonConstraint c = JsonConstraint.schema(PERSON);
        assertThat(c.accepts("{\"name\":\"Ann\",\"age\":41,\"tags\":[],\"role\":\"admin\","
                + "\"address\":{\"city\":\"Oslo\",\"zip\":null}}")).isTrue();
        assertThat(c.accepts("{ \"age\" : -7 ,\n  \"role\":\"user\",\"tags\":[\"a\",\"b\\n\\u00e9\"],\"name\":\"\","
                + "\"address\":{\"zip\":\"0150\",\"city\":\"Zoë\"} }")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"name\":\"Ann\",\"age\":41,\"tags\":[],\"role\":\"admin\"}",                          // a required key missing
        "{\"name\":\"Ann\",\"age\":4.5,\"tags\":[],\"role\":\"admin\",\"address\":{\"city\":\"a\",\"zip\":null}}",
        "{\"name\":\"Ann\",\"age\":41,\"tags\":[],\"role\":\"root\",\"address\":{\"city\":\"a\",\"zip\":null}}",
        "{\"name\":\"Ann\",\"name\":\"Bo\",\"age\":1,\"tags\":[],\"role\":\"user\",\"address\":{\"city\":\"a\",\"zip\":null}}",
        "{\"nick\":\"Ann\"}",
        "{\"name\":\"Ann\",\"age\":41,\"tags\":[\"a\",\"b\",\"c\",\"d\"],\"role\":\"user\",\"address\":{\"city\":\"a\",\"zip\":null}}",
        "{\"name\":\"A\nB\"}",
        "{\"age\":012}",
        "[]",
        "{\"name\":\"Ann\",\"age\":41,\"tags\":[],\"role\":\"admin\",\"address\":{\"city\":\"a\",\"zip\":null}} x",
    })
    void refusesTextsOutsideTheSchema(String text) {
        assertThat(JsonConstraint.schema(PERSON).accepts(text)).isFalse();
    }

    @Test
    void everyPrefixOfAnAcceptedTextIsOpenAndOnlyTheWholeCanEnd() {
        String text = "{\"name\":\"Ann\",\"age\":41,\"tags\":[\"x\"],\"role\":\"user\",\"address\":{\"city\":\"O\","
                + "\"zip\":null}}";
        JsonMatcher m = JsonMatcher.start(JsonSchemaCompiler.compile(PERSON));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            assertThat(m.canEnd()).as("after %d bytes", i).isFalse();
            m = m.advance(bytes[i] & 0xFF);
            assertThat(m).as("byte %d of %s", i, text).isNotNull();
        }
        assertThat(m.canEnd()).isTrue();
        assertThat(m.isDone()).isTrue();
        assertThat(m.advance(' ')).as("nothing after the value").isNull();
    }

    @Test
    void jsonObjectTakesAnyObjectAndNumbersEndOnTheNextByte() {
        JsonConstraint any = JsonConstraint.anyObject();
        assertThat(any.accepts("{\"a\":[1,-2.5e+3,true,null,{\"b\":\"c\"}],\"d\":{}}")).isTrue();
        assertThat(any.accepts("{}")).isTrue();
        assertThat(any.accepts("[1]")).isFalse();
        assertThat(any.accepts("{\"a\":1.}")).isFalse();
        assertThat(any.accepts("{\"a\":tru}")).isFalse();
        assertThat(JsonConstraint.schema("{\"type\":\"integer\"}").accepts("123")).isTrue();
        assertThat(JsonConstraint.schema("{\"type\":\"integer\"}").accepts("-123456789012345")).isTrue();
        assertThat(JsonConstraint.schema("{\"type\":\"integer\"}").accepts("1234567890123456"))
                .as("16 digits are past what a double holds exactly").isFalse();
        assertThat(JsonConstraint.schema("{\"enum\":[1,12,\"x\"]}").accepts("1")).isTrue();
        assertThat(JsonConstraint.schema("{\"type\":\"array\",\"items\":{\"enum\":[1,12]}}").accepts("[1,12,1]"))
                .isTrue();
    }

    @Test
    void alternativesThatStartAlikeAreFollowedTogether() {
        JsonConstraint call = JsonConstraint.schema("""
                {"anyOf":[
                  {"type":"object","properties":{"name":{"const":"weather"},"arguments":{"type":"object",
                    "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},
                   "required":["name","arguments"],"additionalProperties":false},
                  {"type":"object","properties":{"name":{"const":"add"},"arguments":{"type":"object",
                    "properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"],
                    "additionalProperties":false}},"required":["name","arguments"],"additionalProperties":false}]}""");
        assertThat(call.accepts("{\"name\":\"weather\",\"arguments\":{\"city\":\"Oslo\"}}")).isTrue();
        assertThat(call.accepts("{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}")).isTrue();
        assertThat(call.accepts("{\"name\":\"add\",\"arguments\":{\"city\":\"Oslo\"}}")).isFalse();
        assertThat(call.accepts("{\"name\":\"weather\",\"arguments\":{\"a\":1,\"b\":2}}")).isFalse();
        JsonConstraint numbers = JsonConstraint.schema("{\"type\":\"array\",\"items\":{\"anyOf\":["
                + "{\"type\":\"integer\"},{\"enum\":[12.5,7]}]}}");
        assertThat(numbers.accepts("[1,12.5,7,123]")).isTrue();
        assertThat(numbers.accepts("[1.5]")).isFalse();
    }

    @Test
    void stringLengthsCountCharactersAndEscapes() {
        JsonConstraint c = JsonConstraint.schema("{\"type\":\"string\",\"minLength\":2,\"maxLength\":4}");
        assertThat(c.accepts("\"ab\"")).isTrue();
        assertThat(c.accepts("\"ÅØæø\"")).as("4 characters in 8 bytes").isTrue();
        assertThat(c.accepts("\"a\\nbc\"")).as("an escape is one character").isTrue();
        assertThat(c.accepts("\"a\"")).isFalse();
        assertThat(c.accepts("\"abcde\"")).isFalse();
    }

    @Test
    void stringsHoldWellFormedUtf8Only() {
        JsonMatcher m = JsonMatcher.start(JsonSchemaCompiler.compile("{\"type\":\"string\"}"));
        JsonMatcher bounded = JsonMatcher.start(JsonSchemaCompiler.compile("{\"type\":\"string\",\"maxLength\":9}"));
        for (JsonMatcher start : new JsonMatcher[] {m, bounded}) {
            JsonMatcher open = start.advance('"');
            assertThat(open.advance(0x80)).as("a continuation byte without a lead byte").isNull();
            assertThat(open.advance(0xC0)).as("an overlong lead byte").isNull();
            assertThat(open.advance(0xC3).advance('"')).as("a quote inside a character").isNull();
            assertThat(open.advance(0xED).advance(0xA0)).as("a UTF-16 surrogate").isNull();
            assertThat(open.advance(0xF0).advance(0x9F).advance(0x98).advance(0x80).advance('"').canEnd()).isTrue();
        }
    }

    @Test
    void recursiveDefinitionsCompile() {
        JsonConstraint tree = JsonConstraint.schema("""
                {"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
                  "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v","kids"]}},
                 "$ref":"#/$defs/node"}""");
        assertThat(tree.accepts("{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[]},{\"kids\":[],\"v\":3}]}")).isTrue();
        assertThat(tree.accepts("{\"v\":1,\"kids\":[{\"v\":2}]}")).isFalse();
    }

    @Test
    void unsupportedFeaturesAreNamedWithTheirPlace() {
        assertThatThrownBy(() -> JsonConstraint.schema("{\"type\":\"object\",\"properties\":{\"d\":"
                + "{\"type\":\"string\",\"format\":\"date-time\",\"pattern\":\"^2\"}}}"))
                .isInstanceOf(UnsupportedSchemaException.class)
                .hasMessageContaining("format, pattern").hasMessageContaining("#/properties/d");
        assertThatThrownBy(() -> JsonConstraint.schema("{\"type\":\"object\",\"properties\":{},"
                + "\"required\":[\"x\"]}")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> JsonConstraint.schema("{\"$ref\":\"http://example/s.json\"}"))
                .hasMessageContaining("$ref");
        assertThatThrownBy(() -> JsonConstraint.schema("{nope")).hasMessageContaining("not valid JSON");
    }

    @Test
    void acceptedTextsParse() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String text = "{\"name\":\"Ann\",\"age\":41,\"tags\":[],\"role\":\"admin\",\"address\":{\"city\":\"Oslo\","
                + "\"zip\":null}}";
        assertThat(JsonConstraint.schema(PERSON).accepts(text)).isTrue();
        JsonNode n = json.readTree(text);
        assertThat(n.get("address").get("city").asText()).isEqualTo("Oslo");
    }
}
