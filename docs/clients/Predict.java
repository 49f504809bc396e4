import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Recognise a digit with the JDK's own HttpClient (Java 11+), no dependencies:
 *
 *     java docs/clients/Predict.java http://localhost:8080 docs/examples/seven.png
 */
public class Predict {

	public static void main(String[] args) throws Exception {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create(args[0] + "/api/v1/predictions"))
			.header("Content-Type", "image/png")
			.header("X-Request-Id", "java-client-1")
			.timeout(Duration.ofSeconds(10))
			.POST(HttpRequest.BodyPublishers.ofFile(Path.of(args[1])))
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		// the body is JSON: {"digit":7,"probability":...,"model":{...},"feedbackToken":"..."}; use any JSON library
		String body = response.body();
		String digit = body.replaceAll("(?s).*\"digit\":(\\d).*", "$1");
		System.out.println("status " + response.statusCode() + ", digit " + digit + ", request id "
				+ response.headers().firstValue("X-Request-Id").orElse("?"));
	}

}
