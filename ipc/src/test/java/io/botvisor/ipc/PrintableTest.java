package io.botvisor.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrintableTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // the input holds the real characters (Java escapes); the expected text shows their escapes
            "`line one\nline two`         | line one\\nline two",
            "`a\r\nb`                     | a\\r\\nb",
            "`tab\there`                  | tab\\there",
            "`\u001b[2Jcleared`           | \\u001b[2Jcleared",
            "`bell\u0007 del\u007f c1\u0085` | bell\\u0007 del\\u007f c1\\u0085",
            "`sep\u2028para\u2029`        | sep\\u2028para\\u2029",
            "`bidi\u202eevil`             | bidi\\u202eevil",
            "`back\\slash`                | back\\\\slash",
            "`plain ünïcode ✓`            | plain ünïcode ✓"})
    void controlAndLineBreakingCharactersAreEscaped(String text, String shown) {
        assertThat(Printable.oneLine(text)).isEqualTo(shown);
    }

    @Test
    void linesKeepTheirNewlinesAndLoseEveryOtherControlCharacter() {
        assertThat(Printable.lines("\"main\" #1\n    at a.B\u001b[2J(B.java)\r\n\tend\n", 1000))
                .isEqualTo("\"main\" #1\n    at a.B\\u001b[2J(B.java)\\r\n\\tend\n");
    }

    @Test
    void longTextIsCappedWithAMarkerInTheGivenLength() {
        String shown = Printable.oneLine("x".repeat(1000), 40);
        assertThat(shown).hasSize(40).isEqualTo("x".repeat(28) + Printable.TRUNCATED);
    }

    @Test
    void escapesCountTowardsTheCap() {
        assertThat(Printable.oneLine("\n".repeat(100), 30)).isEqualTo("\\n".repeat(9) + Printable.TRUNCATED);
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        String text = "a".repeat(3) + "😀".repeat(20); // each emoji is two chars
        String cut = Printable.truncate(text, 16);
        assertThat(cut).isEqualTo("aaa" + Printable.TRUNCATED);
    }

    @Test
    void nullIsShownAsNull() {
        assertThat(Printable.oneLine(null)).isEqualTo("null");
    }
}
