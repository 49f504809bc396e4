package dev.digits.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint roles read from the controllers' mappings: every handler of the service
 * declares one, requests are matched to the right one, and the admin credential guards
 * exactly the admin endpoints.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EndpointRolesTests {

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	ObjectProvider<RequestMappingHandlerMapping> mapping;

	@LocalServerPort
	int port;

	@Test
	void everyHandlerOfTheServiceDeclaresItsEndpoint() {
		List<String> missing = new ArrayList<>();
		int handlers = 0;
		for (var entry : mapping.getObject().getHandlerMethods().entrySet()) {
			if (!entry.getValue().getBeanType().getPackageName().startsWith("dev.digits")) {
				continue;
			}
			handlers++;
			if (EndpointRoles.endpointOf(entry.getValue()) == null) {
				missing.add(entry.getValue().toString());
			}
		}
		assertThat(handlers).as("handlers of the service").isGreaterThan(20);
		assertThat(missing).as("handlers without @Endpoint").isEmpty();
	}

	@Test
	void requestsAreMatchedToTheirHandlersRoles() {
		EndpointRoles roles = new EndpointRoles(mapping);
		assertThat(roles.lookUp("POST", "/api/v1/predictions").value()).isEqualTo(Endpoint.Role.PREDICTION);
		assertThat(roles.lookUp("POST", "/api/v1/predictions").metric()).isEmpty();
		Endpoint batch = roles.lookUp("POST", "/api/v1/models/4/predictions/batch");
		assertThat(batch.value()).isEqualTo(Endpoint.Role.PREDICTION);
		assertThat(batch.metric()).isEqualTo("batch");
		Endpoint infer = roles.lookUp("POST", "/v2/models/mnist-cnn/versions/4/infer");
		assertThat(infer.value()).isEqualTo(Endpoint.Role.PREDICTION);
		assertThat(infer.dialect()).isEqualTo(Endpoint.Dialect.OIP);
		assertThat(infer.metric()).isEqualTo("oip");
		assertThat(roles.lookUp("GET", "/v2/health/ready").value()).isEqualTo(Endpoint.Role.PROBE);
		assertThat(roles.lookUp("GET", "/v2/models/mnist-cnn").value()).isEqualTo(Endpoint.Role.READ);
		assertThat(roles.lookUp("POST", "/v2/repository/index").value()).isEqualTo(Endpoint.Role.ADMIN);
		assertThat(roles.lookUp("POST", "/v2/repository/index").dialect()).isEqualTo(Endpoint.Dialect.OIP);
		assertThat(roles.lookUp("PUT", "/admin/traffic").value()).isEqualTo(Endpoint.Role.ADMIN);
		assertThat(roles.lookUp("POST", "/api/v1/feedback").value()).isEqualTo(Endpoint.Role.FEEDBACK);
		assertThat(roles.lookUp("GET", "/api/v1/models").dialect()).isEqualTo(Endpoint.Dialect.PROBLEM);
		// a path no handler has, and a method the path's handler does not take
		assertThat(roles.lookUp("GET", "/api/v1/nothing")).isNull();
		assertThat(roles.lookUp("GET", "/api/v1/predictions")).isNull();
	}

	@Test
	void theAdminCredentialGuardsExactlyTheAdminEndpoints() throws Exception {
		// no admin token is configured here: every admin endpoint answers 401 (the admin
		// API is disabled), and no other endpoint does
		HttpClient client = HttpClient.newHttpClient();
		List<String> wrong = new ArrayList<>();
		int admin = 0;
		for (EndpointRoles.Route route : new EndpointRoles(mapping).routes()) {
			if (!route.handler().getBeanType().getPackageName().startsWith("dev.digits")) {
				continue;
			}
			for (var pattern : route.patterns()) {
				String path = pattern.getPatternString()
					.replaceAll("\\{name\\}", "mnist-cnn")
					.replaceAll("\\{[^}]+\\}", "4");
				if (path.contains("*") || path.contains("$")) {
					continue;
				}
				for (RequestMethod method : route.methods().isEmpty() ? List.of(RequestMethod.GET) : route.methods()) {
					HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
						.method(method.name(), HttpRequest.BodyPublishers.noBody())
						.build();
					int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
					boolean isAdmin = route.endpoint().value() == Endpoint.Role.ADMIN;
					admin += isAdmin ? 1 : 0;
					if ((status == 401) != isAdmin) {
						wrong.add(method + " " + path + " (" + route.endpoint().value() + ") answered " + status);
					}
				}
			}
		}
		assertThat(admin).as("admin endpoints tried").isGreaterThanOrEqualTo(10);
		assertThat(wrong).isEmpty();
	}

}
