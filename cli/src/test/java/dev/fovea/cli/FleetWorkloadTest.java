package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet bench's workload: generated from a seed, recorded and replayed, and the requests a conversation makes. */
class FleetWorkloadTest {
    @Test
    void theSameSeedGivesTheSameWorkloadAndAnotherSeedAnother() {
        FleetWorkload a = FleetWorkload.generate(7, 20, 3, 5);
        assertThat(FleetWorkload.generate(7, 20, 3, 5)).isEqualTo(a);
        assertThat(FleetWorkload.generate(8, 20, 3, 5)).isNotEqualTo(a);
    }

    @Test
    void conversationsTurnsAndImagesAreAsAskedAndEveryImageIsUsedEqually() {
        FleetWorkload w = FleetWorkload.generate(1, 300, 1, 30);
        assertThat(w.conversations()).hasSize(300);
        assertThat(w.requests()).isEqualTo(300);
        assertThat(w.distinctImages()).isEqualTo(30);
        Map<String, Long> uses = w.conversations().stream()
                .collect(Collectors.groupingBy(FleetWorkload.Conversation::image, Collectors.counting()));
        assertThat(uses.values()).containsOnly(10L);
        assertThat(w.conversations().get(0).image()).startsWith("data:image/png;base64,");
        // the images come in a shuffled order, not 0, 1, 2, ...
        assertThat(w.conversations().subList(0, 30).stream().map(FleetWorkload.Conversation::image).distinct().count())
                .isLessThan(30);

        FleetWorkload multi = FleetWorkload.generate(1, 50, 3, 50);
        assertThat(multi.requests()).isEqualTo(150);
        assertThat(multi.maxTurns()).isEqualTo(3);
        assertThat(multi.distinctImages()).isEqualTo(50);
        assertThat(multi.conversations()).allSatisfy(c -> assertThat(c.questions()).hasSize(3)
                .allSatisfy(q -> assertThat(q).isNotBlank()));
        assertThat(multi.conversations()).anySatisfy(c -> assertThat(c.questions()).doesNotHaveDuplicates());
    }

    @Test
    void badSizesAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> FleetWorkload.generate(1, 0, 1, 1)).hasMessageContaining("--conversations");
        assertThatThrownBy(() -> FleetWorkload.generate(1, 5, 0, 1)).hasMessageContaining("--turns");
        assertThatThrownBy(() -> FleetWorkload.generate(1, 5, 1, 6)).hasMessageContaining("--images");
    }

    @Test
    void aRecordedWorkloadReplaysAsItWasAndTakesImageFiles(@TempDir Path dir) throws Exception {
        FleetWorkload w = FleetWorkload.generate(3, 6, 2, 3);
        Path f = dir.resolve("w.jsonl");
        w.write(f);
        assertThat(Files.readAllLines(f)).hasSize(6);
        assertThat(FleetWorkload.read(f)).isEqualTo(w);

        byte[] png = Base64.getDecoder().decode(w.conversations().get(0).image().substring("data:image/png;base64,".length()));
        Files.write(dir.resolve("pic.png"), png);
        Path byPath = dir.resolve("p.jsonl");
        Files.writeString(byPath, "{\"image\": \"pic.png\", \"questions\": [\"What is it?\"]}\n\n");
        FleetWorkload read = FleetWorkload.read(byPath);
        assertThat(read.conversations()).hasSize(1);
        assertThat(read.conversations().get(0).image()).isEqualTo(w.conversations().get(0).image());
        assertThat(read.conversations().get(0).id()).isEqualTo("c0");
    }

    @Test
    void aBadLineIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"image\": \"data:image/png;base64,AA==\", \"questions\": [\"q\"]}\n{\"image\": \"x.png\"}\n");
        assertThatThrownBy(() -> FleetWorkload.read(f)).hasMessageContaining("line 2").hasMessageContaining("questions");
        Files.writeString(f, "not json\n");
        assertThatThrownBy(() -> FleetWorkload.read(f)).hasMessageContaining("line 1: not JSON");
        Files.writeString(f, "\n");
        assertThatThrownBy(() -> FleetWorkload.read(f)).hasMessageContaining("no conversations");
    }

    @Test
    void laterTurnsCarryTheWholeHistoryWithTheAnswersAsReturned() {
        FleetWorkload.Conversation c = new FleetWorkload.Conversation("c0", "data:image/png;base64,AA==",
                List.of("q1", "q2", "q3"));
        ObjectNode first = FleetRequest.body("m", c, List.of(), 0, 8);
        assertThat(first.get("messages")).hasSize(1);
        JsonNode content = first.get("messages").get(0).get("content");
        assertThat(content.get(0).get("image_url").get("url").asText()).isEqualTo(c.image());
        assertThat(content.get(1).get("text").asText()).isEqualTo("q1");
        assertThat(first.get("stream").asBoolean()).isTrue();
        assertThat(first.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(first.get("temperature").asInt()).isZero();
        assertThat(first.get("max_tokens").asInt()).isEqualTo(8);

        ObjectNode third = FleetRequest.body("m", c, List.of(" red", " 3"), 2, 8);
        List<String> roles = third.get("messages").findValuesAsText("role");
        assertThat(roles).containsExactly("user", "assistant", "user", "assistant", "user");
        Function<Integer, JsonNode> m = i -> third.get("messages").get(i);
        assertThat(m.apply(0).get("content").get(0).get("image_url").get("url").asText()).isEqualTo(c.image());
        assertThat(m.apply(1).get("content").asText()).isEqualTo(" red");
        assertThat(m.apply(2).get("content").asText()).isEqualTo("q2");
        assertThat(m.apply(3).get("content").asText()).isEqualTo(" 3");
        assertThat(m.apply(4).get("content").asText()).isEqualTo("q3");
    }
}
