package io.botvisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DbEndpointTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://h/db?password=s3cret            | jdbc:postgresql://h/db?password=***",
            "jdbc:postgresql://h/db?user=admin&ssl=true        | jdbc:postgresql://h/db?user=***&ssl=true",
            "jdbc:postgresql://h/db?ssl=true&sslpassword=s3cret | jdbc:postgresql://h/db?ssl=true&sslpassword=***",
            "jdbc:postgresql://h/db?PASSWORD=s3cret            | jdbc:postgresql://h/db?PASSWORD=***",
            "jdbc:postgresql://h/db?pass%77ord=s3cret          | jdbc:postgresql://h/db?pass%77ord=***",
            "jdbc:postgresql://admin:s3cret@h:5432/db          | jdbc:postgresql://***@h:5432/db",
            "jdbc:postgresql://admin@h/db                      | jdbc:postgresql://***@h/db",
            "jdbc:postgresql://admin:s3?cr@h/db?ssl=true       | jdbc:postgresql://***@h/db?ssl=true",
            "jdbc:postgresql://admin:s3/cr@h/db?x=a@b          | jdbc:postgresql://***@h/db?x=a@b",
            "jdbc:postgresql:db?password=s3cret                | jdbc:postgresql:db?password=***"})
    void credentialsInAUrlAreRedactedAndDetected(String url, String redacted) {
        assertThat(DbEndpoint.redact(url)).isEqualTo(redacted).doesNotContain("s3cret", "s3?cr", "s3/cr");
        assertThat(DbEndpoint.hasCredentials(url)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db.example.com:5432/botvisor",
            "jdbc:postgresql://h1:5432,h2:5433/db?targetServerType=primary&prepareThreshold=0",
            "jdbc:postgresql://[::1]:5432/db?sslmode=verify-full",
            "jdbc:postgresql://h/db?ApplicationName=a@b"})
    void aUrlWithoutCredentialsIsLeftAsItIs(String url) {
        assertThat(DbEndpoint.redact(url)).isEqualTo(url);
        assertThat(DbEndpoint.hasCredentials(url)).isFalse();
    }

    @Test
    void aParameterNamedPasswordWithoutAValueCountsAsCredentials() {
        assertThat(DbEndpoint.hasCredentials("jdbc:postgresql://h/db?password")).isTrue();
    }

    @Test
    void toStringShowsTheUrlRedactedAndNeverThePassword() {
        DbEndpoint e = new DbEndpoint("jdbc:postgresql://h/db?password=in-url", "botvisor", "in-field");
        assertThat(e.toString()).isEqualTo("jdbc:postgresql://h/db?password=*** as botvisor")
                .doesNotContain("in-url", "in-field");
    }
}
