package dev.digits.api;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.GlobalOperationCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI 3 document (springdoc): {@code /v3/api-docs/digits} for the public API and
 * the protocol, {@code /v3/api-docs/admin} for the admin API, Swagger UI at
 * {@code /swagger-ui.html}. The committed copy, {@code docs/openapi.json}, is checked
 * against what the service serves by {@code OpenApiDocumentTests}, which also regenerates
 * it on request.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

	static final String ADMIN_SCHEME = "admin-token";

	@Bean
	OpenAPI digitServiceOpenApi(ObjectProvider<BuildProperties> build) {
		BuildProperties info = build.getIfAvailable();
		return new OpenAPI()
			.info(new Info().title("digit-service")
				.version(info != null ? info.getVersion() : "dev")
				.description(DESCRIPTION + problemTable())
				.license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
			.servers(List.of(new Server().url("/").description("this service")))
			.components(
					new Components().addSchemas("Problem", problemSchema())
						.addSecuritySchemes(ADMIN_SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP)
							.scheme("bearer")
							.description("DIGITS_ADMIN_TOKEN; without one configured the admin API answers 401")));
	}

	/**
	 * The problem responses each public operation can give, by status, with the types
	 * behind them.
	 */
	@Bean
	GlobalOperationCustomizer problemResponses() {
		return (operation, handler) -> {
			Class<?> controller = handler.getBeanType();
			List<Integer> statuses;
			if (controller == PredictionController.class) {
				statuses = List.of(400, 404, 413, 415, 422, 503, 500);
			}
			else if (controller == FeedbackController.class) {
				statuses = List.of(400, 404, 409, 410);
			}
			else if (controller == ModelsController.class) {
				statuses = List.of(404);
			}
			else if (controller == AdminController.class || controller == RepositoryExtensionController.class) {
				statuses = List.of(400, 401, 404, 409, 422);
			}
			else {
				return operation;
			}
			for (int status : statuses) {
				String types = Arrays.stream(ProblemKind.values())
					.filter(kind -> kind.status.value() == status)
					.map(kind -> "`" + kind.slug + "`")
					.collect(Collectors.joining(", "));
				operation.getResponses()
					.addApiResponse(String.valueOf(status), new ApiResponse().description("problem types " + types)
						.content(new Content().addMediaType("application/problem+json", new MediaType().schema(
								new io.swagger.v3.oas.models.media.Schema<>().$ref("#/components/schemas/Problem")))));
			}
			return operation;
		};
	}

	private static io.swagger.v3.oas.models.media.Schema<?> problemSchema() {
		return new ObjectSchema().description("RFC 9457 problem details")
			.addProperty("type", new StringSchema().description("urn:digit-service:problem:<slug>"))
			.addProperty("title", new StringSchema())
			.addProperty("status", new IntegerSchema())
			.addProperty("detail", new StringSchema().description("what was wrong, for a person"))
			.addProperty("instance", new StringSchema())
			.addProperty("requestId", new StringSchema().description("also in X-Request-Id and the server's log lines"))
			.addProperty("reason", new StringSchema().description("the digits_failures_total label"));
	}

	private static final String DESCRIPTION = """
			Recognises handwritten digits with the model card's CNN (MNIST, 28x28).

			Send an image as a multipart `file` part, as the raw body with an image content type, as \
			base64 or a data URL in JSON (`{"image": "data:image/png;base64,..."}`), or 784 numbers \
			(`{"pixels": [...], "range": "0-255"}`). PNG, JPEG (EXIF orientation applied), GIF, BMP \
			and WebP are decoded within a budget (10,000 pixels a side, 25 MP, 64 MB, 500 ms); photos \
			of dark ink on paper and canvas exports with transparency are handled.

			Several model versions may serve at once: `X-Client-Id` keeps a client's A/B variant, \
			`X-Model-Version` or the path `/api/v1/models/{version}/predictions` pins one. Every \
			answer has a `feedbackToken` for `POST /api/v1/feedback`.

			Errors are RFC 9457 `application/problem+json` (the Open Inference Protocol endpoints \
			under `/v2` answer `{"error": "..."}` as the protocol wants). Problem types:

			""";

	private static String problemTable() {
		return "| status | type | title |\n|---|---|---|\n" + Arrays.stream(ProblemKind.values())
			.map(kind -> "| " + kind.status.value() + " | `" + kind.type() + "` | " + kind.title + " |")
			.collect(Collectors.joining("\n"));
	}

}
