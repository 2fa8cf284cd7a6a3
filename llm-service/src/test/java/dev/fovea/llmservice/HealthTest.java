package dev.fovea.llmservice;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

import dev.fovea.testsupport.NeedsConformance;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@NeedsConformance
@QuarkusTest
class HealthTest {
    @Test
    void readinessIsUp() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    }
}
