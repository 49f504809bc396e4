package dev.digits.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import dev.digits.training.Mnist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The KServe Open Inference Protocol v2 over real HTTP. Every request and response is
 * validated against the protocol's own OpenAPI document
 * ({@code service/src/test/resources/oip/rest_predict_v2.yaml}, kept verbatim), with two
 * adaptations made here and nowhere else: its path templates {@code ${MODEL_NAME}} become
 * OpenAPI's {@code {MODEL_NAME}}, and a request without a version is validated against
 * the versioned path (the prose specification makes the version optional; the document
 * lists only the versioned paths).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InferenceProtocolTests {

	private static OpenApiInteractionValidator validator;

	private static Mnist.Split digits;

	private static final AtomicInteger validated = new AtomicInteger();

	@LocalServerPort
	int port;

	private HttpFixtures http;

	@BeforeAll
	static void spec() throws IOException {
		String spec = Files.readString(Path.of("service/src/test/resources/oip/rest_predict_v2.yaml"))
			.replace("${", "{");
		validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec).build();
		digits = Mnist.loadTest(PredictionApiIntegrationTests.FIXTURE);
	}

	@AfterAll
	static void count() {
		System.out
			.println("OIP v2 conformance: " + validated.get() + " request/response pairs validated against the spec");
	}

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void healthAndMetadata() {
		assertThat(get("/v2/health/live").status()).isEqualTo(200);
		assertThat(get("/v2/health/ready").status()).isEqualTo(200);
		JsonNode server = get("/v2/").json();
		assertThat(server.get("name").asString()).isEqualTo("digit-service");
		assertThat(server.get("extensions").isArray()).isTrue();
		assertThat(get("/v2/models/mnist-cnn/versions/1/ready").status()).isEqualTo(200);
		assertThat(get("/v2/models/mnist-cnn/ready").status()).isEqualTo(200);
		for (String path : List.of("/v2/models/mnist-cnn", "/v2/models/mnist-cnn/versions/2")) {
			JsonNode model = get(path).json();
			assertThat(model.get("name").asString()).isEqualTo("mnist-cnn");
			assertThat(model.get("versions")).extracting(JsonNode::asString).contains("1", "2");
			assertThat(model.get("platform").asString()).isNotBlank();
			assertThat(model.at("/inputs/0/shape").toString()).isEqualTo("[-1,28,28]");
			assertThat(model.at("/outputs/0/name").asString()).isEqualTo("probabilities");
		}
	}

	@Test
	void fp32AndUint8TensorsInEveryShape() {
		int n = 3;
		StringJoiner unit = new StringJoiner(",");
		StringJoiner grey = new StringJoiner(",");
		for (int i = 0; i < n; i++) {
			for (byte b : digits.image(i)) {
				unit.add(Float.toString((b & 0xFF) / 255f));
				grey.add(Integer.toString(b & 0xFF));
			}
		}
		for (String[] form : new String[][] { { "FP32", "[3,28,28]", unit.toString() },
				{ "FP32", "[3,784]", unit.toString() }, { "UINT8", "[3,28,28,1]", grey.toString() },
				{ "UINT8", "[3,784]", grey.toString() } }) {
			HttpFixtures.Reply reply = infer("/v2/models/mnist-cnn/infer",
					"{\"id\":\"req-" + form[0] + "\",\"inputs\":[{\"name\":\"input\",\"shape\":" + form[1]
							+ ",\"datatype\":\"" + form[0] + "\",\"data\":[" + form[2] + "]}]}");
			assertThat(reply.status()).as(reply.body()).isEqualTo(200);
			JsonNode json = reply.json();
			assertThat(json.get("id").asString()).isEqualTo("req-" + form[0]);
			assertThat(json.get("model_name").asString()).isEqualTo("mnist-cnn");
			JsonNode probabilities = output(json, "probabilities");
			assertThat(probabilities.get("shape").toString()).isEqualTo("[3,10]");
			assertThat(probabilities.get("data")).hasSize(30);
			JsonNode digit = output(json, "digit");
			for (int i = 0; i < n; i++) {
				assertThat(digit.get("data").get(i).asInt()).as(form[0] + form[1]).isEqualTo(digits.labels()[i]);
			}
		}
	}

	@Test
	void encodedImagesAsBytesAndRequestedOutputs() throws IOException {
		String png = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of("docs/examples/seven.png")));
		String canvas = "data:image/png;base64,"
				+ Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of("docs/examples/three-canvas.png")));
		HttpFixtures.Reply reply = infer("/v2/models/mnist-cnn/versions/2/infer",
				"{\"inputs\":[{\"name\":\"image\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"" + png + "\",\""
						+ canvas + "\"]}],\"outputs\":[{\"name\":\"digit\"}]}");
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		JsonNode json = reply.json();
		assertThat(json.get("model_version").asString()).isEqualTo("2");
		assertThat(json.get("outputs")).hasSize(1);
		assertThat(output(json, "digit").get("data").toString()).isEqualTo("[7,3]");
	}

	@Test
	void theClientIdParameterKeepsTheVariant() {
		String body = "{\"parameters\":{\"client_id\":\"user-7\"},\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],"
				+ "\"datatype\":\"UINT8\",\"data\":[" + greyValues(0) + "]}]}";
		String first = infer("/v2/models/mnist-cnn/infer", body).json().get("model_version").asString();
		for (int i = 0; i < 5; i++) {
			assertThat(infer("/v2/models/mnist-cnn/infer", body).json().get("model_version").asString())
				.isEqualTo(first);
		}
	}

	/**
	 * A chunked body over the JSON limit is cut off while Jackson reads it; what the
	 * stream threw (the limit) decides the answer, not the JSON parser that saw it first.
	 */
	@Test
	void aChunkedBodyOverTheLimitIs413InTheProtocolsForm() throws IOException {
		// one long string value: Jackson is inside a token when the stream refuses the 8
		// MB + 1st byte
		java.io.ByteArrayOutputStream chunked = new java.io.ByteArrayOutputStream();
		byte[] chunk = "a".repeat(65_536).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		byte[] start = "{\"id\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		chunked.writeBytes(
				(Integer.toHexString(start.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		chunked.writeBytes(start);
		chunked.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		for (int i = 0; i < 140; i++) { // 9.2 MB
			chunked.writeBytes(
					(Integer.toHexString(chunk.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			chunked.writeBytes(chunk);
			chunked.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		}
		chunked.writeBytes("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		String response = RawHttp.exchange(port,
				"POST /v2/models/mnist-cnn/infer HTTP/1.1\r\nHost: x\r\n"
						+ "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
				chunked.toByteArray(), false);
		assertThat(RawHttp.status(response)).as(response).isEqualTo(413);
		assertThat(response).contains("{\"error\":").contains("larger than");
	}

	@Test
	void errorsAreTheProtocolsErrorObject() {
		String image = "\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":["
				+ greyValues(0) + "]}]";
		List<Object[]> cases = new ArrayList<>();
		cases.add(new Object[] { "/v2/models/other-model/infer", "{" + image + "}", 404 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/versions/99/infer", "{" + image + "}", 404 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{" + image.replace("UINT8", "INT64") + "}", 400 });
		cases
			.add(new Object[] { "/v2/models/mnist-cnn/infer", "{" + image.replace("[1,784]", "[1,28,27]") + "}", 400 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{" + image.replace("[1,784]", "[2,784]") + "}", 400 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{" + image + ",\"outputs\":[{\"name\":\"logits\"}]}",
				400 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],"
				+ "\"datatype\":\"UINT8\",\"data\":[" + "0,".repeat(783) + "0]}]}", 400 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[65,784],"
				+ "\"datatype\":\"UINT8\",\"data\":[" + "0,".repeat(65 * 784) + "0]}]}", 413 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{\"inputs\":[{\"name\":\"image\",\"shape\":[1],"
				+ "\"datatype\":\"BYTES\",\"data\":[\"bm90IGFuIGltYWdl\"]}]}", 400 });
		cases.add(new Object[] { "/v2/models/mnist-cnn/infer", "{\"inputs\": [", 400 });
		for (Object[] c : cases) {
			HttpFixtures.Reply reply = infer((String) c[0], (String) c[1]);
			assertThat(reply.status()).as(c[0] + " " + abbreviate((String) c[1]) + ": " + reply.body()).isEqualTo(c[2]);
			assertThat(reply.json().get("error").asString()).isNotBlank();
			assertThat(reply.json().size()).isEqualTo(1);
		}
		assertThat(get("/v2/models/other-model").status()).isEqualTo(404);
	}

	private String greyValues(int index) {
		StringJoiner values = new StringJoiner(",");
		for (byte b : digits.image(index)) {
			values.add(Integer.toString(b & 0xFF));
		}
		return values.toString();
	}

	private static JsonNode output(JsonNode response, String name) {
		for (JsonNode output : response.get("outputs")) {
			if (output.get("name").asString().equals(name)) {
				return output;
			}
		}
		throw new AssertionError("no output " + name + " in " + response);
	}

	private HttpFixtures.Reply get(String path) {
		HttpFixtures.Reply reply = http.get(path);
		validate(SimpleRequest.Builder.get(specPath(path)).build(), reply, true);
		return reply;
	}

	private HttpFixtures.Reply infer(String path, String json) {
		HttpFixtures.Reply reply = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
		validate(SimpleRequest.Builder.post(specPath(path)).withContentType("application/json").withBody(json).build(),
				reply, !json.endsWith("["));
		return reply;
	}

	/**
	 * Validates the pair against the spec. Only statuses the spec documents are validated
	 * as responses (it documents 200, and 400 for metadata and inference); a 404, 413 or
	 * 503 body is checked by the test itself against the error object's shape.
	 */
	private void validate(Request request, HttpFixtures.Reply reply, boolean wellFormed) {
		SimpleResponse.Builder response = SimpleResponse.Builder.status(reply.status());
		if (!reply.body().isEmpty()) {
			response.withContentType(reply.contentType().isEmpty() ? "application/json" : reply.contentType())
				.withBody(reply.body());
		}
		boolean documented = reply.status() == 200 || (reply.status() == 400 && !request.getPath().endsWith("/ready"));
		ValidationReport report;
		if (!wellFormed) {
			// deliberately not JSON: only the answer is checked against the spec
			report = validator.validateResponse(request.getPath(), request.getMethod(), response.build());
		}
		else {
			report = documented ? validator.validate(request, response.build()) : validator.validateRequest(request);
		}
		assertThat(report.getMessages())
			.as(request.getMethod() + " " + request.getPath() + " -> " + reply.status() + " "
					+ abbreviate(reply.body()))
			.isEmpty();
		validated.incrementAndGet();
	}

	/** The path as the spec lists it: versioned. */
	private static String specPath(String path) {
		if (path.startsWith("/v2/models/") && !path.contains("/versions/")) {
			String rest = path.substring("/v2/models/".length());
			int slash = rest.indexOf('/');
			String name = slash < 0 ? rest : rest.substring(0, slash);
			String tail = slash < 0 ? "" : rest.substring(slash);
			return "/v2/models/" + name + "/versions/default" + tail;
		}
		return path;
	}

	private static String abbreviate(String text) {
		return text.length() > 300 ? text.substring(0, 300) + "..." : text;
	}

}
