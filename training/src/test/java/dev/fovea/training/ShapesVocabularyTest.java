package dev.fovea.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.shapesworld.Picture;
import dev.fovea.shapesworld.QuestionAnswer;
import dev.fovea.shapesworld.ShapesWorld;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ShapesVocabularyTest {
    private final PromptLayout layout = new PromptLayout(new ShapesVocabulary());

    @Test
    void everyWordOfTheWorldIsOneToken() {
        Tokenizer tok = layout.tokenizer();
        ShapesWorld world = new ShapesWorld(3);
        Set<String> split = new TreeSet<>();
        for (int i = 0; i < 300; i++) {
            Picture p = world.nextPicture();
            for (QuestionAnswer qa : p.questions()) {
                for (String text : new String[] {qa.question(), qa.answer()}) {
                    for (String word : text.replaceAll("<box>.*</box>", " ").split("[ ?.,]+")) {
                        if (word.isEmpty() || word.chars().allMatch(Character::isDigit)) {
                            continue;
                        }
                        if (tok.encode(" " + word, false, false).length != 1) {
                            split.add(word);
                        }
                    }
                }
            }
        }
        assertThat(split).as("words that are not one token").isEmpty();
    }

    @Test
    void promptAndAnswerTokensReadBackAsText() {
        Tokenizer tok = layout.tokenizer();
        int[] prefix = layout.prefix();
        assertThat(prefix[0]).isEqualTo(ShapesVocabulary.BOS);
        assertThat(tok.decode(prefix)).isEqualTo("USER: ");
        assertThat(tok.decode(layout.question("What color is the star?"))).isEqualTo(" What color is the star? ASSISTANT:");
        int[] box = layout.answer("<box>(12,340),(560,999)</box>");
        assertThat(box[box.length - 1]).isEqualTo(ShapesVocabulary.EOS);
        assertThat(tok.decode(box)).isEqualTo(" <box>(12,340),(560,999)</box>");
        // digits are single tokens, so any number is spelled digit by digit (the first with its space)
        assertThat(layout.answer("1000")).hasSize(5);
        assertThat(layout.answer("3")).hasSize(2);
        assertThat(layout.answer("red")).hasSize(2);
    }
}
