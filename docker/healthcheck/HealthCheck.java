import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Container health check: exits 0 when the service's readiness group answers 200, 1 otherwise.
 *
 * <p>The runtime image is a JRE: it has no javac (so no single-file source launch) and no curl,
 * so this class is compiled in the build stage and run with the JRE's own java. It needs nothing
 * but java.net.http, which every JRE 11+ has. The URL comes from the first argument, else from
 * HEALTHCHECK_URL, else it is /actuator/health/readiness on loopback at the management port:
 * MANAGEMENT_SERVER_PORT (default 8081, as in application.yml), or SERVER_PORT (default 8080)
 * when MANAGEMENT_SERVER_PORT is set but empty (Spring's way of serving the actuator on the
 * request port).
 */
public final class HealthCheck {

    private HealthCheck() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : System.getenv("HEALTHCHECK_URL");
        if (url == null || url.isBlank()) {
            url = "http://127.0.0.1:" + managementPort() + "/actuator/health/readiness";
        }
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(3))
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            boolean up = response.statusCode() == 200 && response.body().contains("\"UP\"");
            if (!up) {
                System.err.println("not ready: HTTP " + response.statusCode() + " " + response.body());
            }
            System.exit(up ? 0 : 1);
        } catch (Exception e) {
            System.err.println("health check failed: " + e);
            System.exit(1);
        }
    }

    /** The port the actuator listens on, as Spring Boot reads it from the environment. */
    static String managementPort() {
        String management = System.getenv("MANAGEMENT_SERVER_PORT");
        if (management == null) {
            return "8081";
        }
        if (management.isBlank()) {
            String server = System.getenv("SERVER_PORT");
            return server == null || server.isBlank() ? "8080" : server.strip();
        }
        return management.strip();
    }
}
