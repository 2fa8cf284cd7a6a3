package dev.fovea.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `fovea up --replicas`: the parsed counts, the processes planned and the pipeline registry the gateway reads. */
class StackLayoutTest {
    private static final StackFile TWO_ENCODERS = new StackFile("m", "/x/llm.gguf",
            List.of(new StackFile.Encoder("clip", "/x/clip.gguf"), new StackFile.Encoder("siglip", "/x/siglip.gguf")),
            new StackFile.Adapter("fuse", "/x/fuse.gguf"), "none");

    @Test
    void countsAreParsedAndAnEncoderOfItsOwnWinsOverAllEncoders() {
        Replicas r = Replicas.parse("encoder=2, llm=3,encoder-siglip=4");
        assertThat(r.llm()).isEqualTo(3);
        assertThat(r.encoder("clip")).isEqualTo(2);
        assertThat(r.encoder("siglip")).isEqualTo(4);
        assertThat(Replicas.parse("llm=2").encoder("clip")).isEqualTo(1);
        assertThat(Replicas.NONE.llm()).isEqualTo(1);
    }

    @Test
    void badCountsAreErrorsNamingTheValue() {
        assertThatThrownBy(() -> Replicas.parse("llm=0")).hasMessageContaining("llm=0").hasMessageContaining("1 to 8");
        assertThatThrownBy(() -> Replicas.parse("llm=9")).hasMessageContaining("llm=9");
        assertThatThrownBy(() -> Replicas.parse("foo=2")).hasMessageContaining("'foo'");
        assertThatThrownBy(() -> Replicas.parse("llm=x")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> Replicas.parse("llm")).hasMessageContaining("'llm' is not KIND=N");
        assertThatThrownBy(() -> Replicas.parse("llm=2,llm=3")).hasMessageContaining("'llm' is given twice");
        assertThatThrownBy(() -> Replicas.parse("adapter=2")).hasMessageContaining("adapter is not replicated");
        assertThatThrownBy(() -> Replicas.parse(" ")).hasMessageContaining("KIND=N");
    }

    @Test
    void singleReplicasKeepTodaysNamesPortsAndRegistry() throws Exception {
        StackLayout l = StackLayout.plan(TWO_ENCODERS, Replicas.NONE, 8080);
        assertThat(l.services()).extracting(LocalStack.Component::name)
                .containsExactly("llm", "encoder-clip", "encoder-siglip", "adapter");
        assertThat(l.services()).extracting(LocalStack.Component::port).containsExactly(8083, 8081, 8091, 8082);
        JsonNode p = registry(l);
        assertThat(p.get("llm").asText()).isEqualTo("127.0.0.1:8083");
        assertThat(p.get("encoders").get(1).get("replicas")).hasSize(1);
        assertThat(p.get("adapter").get("address").asText()).isEqualTo("127.0.0.1:8082");
    }

    @Test
    void replicasAreOwnProcessesOnFreePortsAllListedInTheRegistry() throws Exception {
        StackLayout l = StackLayout.plan(TWO_ENCODERS, Replicas.parse("llm=2,encoder=2,encoder-siglip=3"), 8080);
        assertThat(l.services()).extracting(LocalStack.Component::name).containsExactly("llm", "llm-2",
                "encoder-clip", "encoder-clip-2", "encoder-siglip", "encoder-siglip-2", "encoder-siglip-3", "adapter");
        assertThat(l.services()).extracting(LocalStack.Component::port)
                .containsExactly(8083, 8085, 8081, 8086, 8091, 8087, 8088, 8082);
        assertThat(l.services().get(1).heapMb()).isEqualTo(UpCommand.LLM_HEAP_MB);
        assertThat(l.services().get(1).properties()).isEqualTo(l.services().get(0).properties());
        JsonNode p = registry(l);
        assertThat(p.get("llm").isArray()).isTrue();
        assertThat(p.get("llm")).extracting(JsonNode::asText).containsExactly("127.0.0.1:8083", "127.0.0.1:8085");
        assertThat(p.get("encoders").get(1).get("name").asText()).isEqualTo("siglip");
        assertThat(p.get("encoders").get(1).get("replicas")).extracting(JsonNode::asText)
                .containsExactly("127.0.0.1:8091", "127.0.0.1:8087", "127.0.0.1:8088");
    }

    @Test
    void extraPortsStepAroundTheGatewayAndFurtherEncoders() {
        StackLayout l = StackLayout.plan(TWO_ENCODERS, Replicas.parse("llm=3"), 8085);
        assertThat(l.services()).extracting(LocalStack.Component::port).startsWith(8083, 8086, 8087);
        StackLayout many = StackLayout.plan(TWO_ENCODERS, Replicas.parse("llm=8,encoder-clip=8"), 8080);
        assertThat(many.services()).extracting(LocalStack.Component::port).doesNotHaveDuplicates()
                .doesNotContain(8080, 8084).allMatch(p -> p >= 8081 && p <= 8099);
        assertThatThrownBy(() -> StackLayout.plan(TWO_ENCODERS, Replicas.parse("llm=8,encoder=8"), 8080))
                .hasMessageContaining("no port left in 8085");
        assertThatThrownBy(() -> StackLayout.plan(TWO_ENCODERS, Replicas.NONE, 8083))
                .hasMessageContaining("--port 8083 is the port of llm");
    }

    @Test
    void anEncoderThePipelineLacksIsNamed() {
        assertThatThrownBy(() -> StackLayout.plan(TWO_ENCODERS, Replicas.parse("encoder-vision=2"), 8080))
                .hasMessageContaining("no encoder 'vision'").hasMessageContaining("clip, siglip");
        StackFile textOnly = new StackFile("t", "/x/llm.gguf", List.of(), null, "none");
        assertThatThrownBy(() -> StackLayout.plan(textOnly, Replicas.parse("encoder=2"), 8080))
                .hasMessageContaining("has no encoders");
        StackFile clash = new StackFile("c", "/x/llm.gguf", List.of(new StackFile.Encoder("a", "/x/a.gguf"),
                new StackFile.Encoder("a-2", "/x/b.gguf")), new StackFile.Adapter("f", "/x/f.gguf"), "none");
        assertThatThrownBy(() -> StackLayout.plan(clash, Replicas.parse("encoder-a=2"), 8080))
                .hasMessageContaining("'encoder-a-2'");
    }

    @Test
    void upRefusesABadCountBeforeTouchingAnything() {
        CliRun.assertClearError(CliRun.run("up", "--replicas", "llm=0"), "llm=0");
        CliRun.assertClearError(CliRun.run("up", "--replicas", "foo=2"), "'foo'");
    }

    private static JsonNode registry(StackLayout l) throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(l.pipelinesYaml());
        assertThat(root.get("pipelines")).hasSize(1);
        return root.get("pipelines").get(0);
    }
}
