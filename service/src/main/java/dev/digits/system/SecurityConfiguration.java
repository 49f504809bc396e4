package dev.digits.system;

import java.io.IOException;
import java.util.List;

import dev.digits.api.Endpoint;
import dev.digits.api.EndpointRoles;
import dev.digits.api.ProblemKind;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Two filter chains. The admin API ({@code /admin/**}) requires
 * {@code Authorization: Bearer
 * <token>} with the token of {@code digits.admin.token} (or its file); without one
 * configured it answers 401 to everyone. Everything else is public. Every response
 * carries the security headers of Spring Security's defaults
 * ({@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options:
 * DENY}, {@code Cache-Control: no-store}) plus a Content-Security-Policy that forbids a
 * JSON answer from ever being run or framed, and no referrer. Stateless: no session, no
 * CSRF token (nothing uses cookies).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

	@Bean
	AdminCredential adminCredential(AdminProperties properties) throws IOException {
		return AdminCredential.of(properties);
	}

	@Bean
	@Order(1)
	SecurityFilterChain adminSecurity(HttpSecurity http, AdminCredential credential, EndpointRoles endpoints)
			throws Exception {
		// the OpenAPI documents that describe the admin API (its group, and springdoc's
		// ungrouped document, which merges every group): the same credential, or nothing.
		// The public API's document is /v3/api-docs/digits
		return common(http.securityMatcher("/admin/**", "/v2/repository/**", "/v3/api-docs/admin",
				"/v3/api-docs/admin/**", "/v3/api-docs/admin.yaml", "/v3/api-docs", "/v3/api-docs.yaml"), API_CSP)
			.cors(AbstractHttpConfigurer::disable)
			.addFilterBefore(new AdminTokenFilter(credential), AuthorizationFilter.class)
			.authorizeHttpRequests(requests -> requests.anyRequest().hasRole("ADMIN"))
			.exceptionHandling(errors -> errors.authenticationEntryPoint((request, response, ex) -> {
				response.setHeader("WWW-Authenticate", "Bearer realm=\"digit-service admin\"");
				String detail = !credential.enabled()
						? "the admin API is disabled: set digits.admin.token (DIGITS_ADMIN_TOKEN) to enable it"
						: "send Authorization: Bearer <admin token>";
				Endpoint.Dialect dialect = endpoints.speaks(request, Endpoint.Dialect.OIP) ? Endpoint.Dialect.OIP
						: Endpoint.Dialect.PROBLEM;
				ProblemKind.UNAUTHORIZED.writeFor(dialect, request, response, detail);
			})
				.accessDeniedHandler((request, response, ex) -> ProblemKind.FORBIDDEN.write(response, "not allowed",
						request.getRequestURI(), null)))
			.build();
	}

	/**
	 * The digit-entry page and what it loads (its scripts, styles, vendored libraries,
	 * the TF.js model): a policy that allows this origin's scripts and nothing inline or
	 * foreign.
	 */
	static final String PAGE_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
			+ "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
			+ "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

	/** The paths of the page (static resources). */
	static final String[] PAGE_PATHS = { "/", "/index.html", "/about.html", "/sw.js", "/app/**", "/webjars/**",
			"/favicon.ico", "/models/tfjs/**" };

	@Bean
	@Order(2)
	SecurityFilterChain pageSecurity(HttpSecurity http) throws Exception {
		return common(http.securityMatcher(PAGE_PATHS), PAGE_CSP)
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.build();
	}

	/** Swagger UI draws with inline styles; its scripts are this origin's own files. */
	static final String SWAGGER_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
			+ "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
			+ "form-action 'self'";

	@Bean
	@Order(3)
	SecurityFilterChain swaggerUiSecurity(HttpSecurity http) throws Exception {
		return common(http.securityMatcher("/swagger-ui.html", "/swagger-ui/**"), SWAGGER_CSP)
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.build();
	}

	@Bean
	@Order(4)
	SecurityFilterChain publicSecurity(HttpSecurity http, CorsProperties cors) throws Exception {
		return common(http, API_CSP).cors(c -> c.configurationSource(corsSource(cors)))
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.build();
	}

	/**
	 * CORS for the public API only; the admin chain has none, so a browser never sends it
	 * cross-origin.
	 */
	static CorsConfigurationSource corsSource(CorsProperties properties) {
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOriginPatterns(properties.allowedOrigins());
		// DELETE: a page's "forget my drawing" deletes its capture by its token
		cors.setAllowedMethods(List.of("GET", "POST", "DELETE", "OPTIONS"));
		// traceparent/tracestate: a browser app's tracing continues into the service's
		// trace (W3C Trace Context)
		cors.setAllowedHeaders(
				List.of("Content-Type", "X-Request-Id", "X-Client-Id", "X-Model-Version", "traceparent", "tracestate"));
		cors.setExposedHeaders(List.of("X-Request-Id", "X-Trace-Id", "Retry-After"));
		cors.setAllowCredentials(false);
		cors.setMaxAge(properties.maxAge());
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/api/**", cors);
		source.registerCorsConfiguration("/v2/**", cors);
		return source;
	}

	private static HttpSecurity common(HttpSecurity http, String csp) throws Exception {
		return http.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.anonymous(AbstractHttpConfigurer::disable)
			.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.headers(headers -> headers.contentSecurityPolicy(policy -> policy.policyDirectives(csp))
				.referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)));
	}

	/**
	 * No users (and so no generated password in the log): only the admin token
	 * authenticates.
	 */
	@Bean
	InMemoryUserDetailsManager noUsers() {
		return new InMemoryUserDetailsManager();
	}

	/**
	 * Authenticates a bearer token equal (in constant time, by digest) to the admin
	 * token.
	 */
	private static final class AdminTokenFilter extends OncePerRequestFilter {

		private final AdminCredential credential;

		AdminTokenFilter(AdminCredential credential) {
			this.credential = credential;
		}

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			String header = request.getHeader("Authorization");
			if (credential.accepts(header)) {
				var context = SecurityContextHolder.createEmptyContext();
				context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("admin", null,
						List.of(new SimpleGrantedAuthority("ROLE_ADMIN"))));
				SecurityContextHolder.setContext(context);
			}
			chain.doFilter(request, response);
		}

	}

}
