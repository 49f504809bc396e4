package dev.digits.serving;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Sticky assignment is a pure function of the experiment and the client key: every
 * replica agrees.
 */
class TrafficTests {

	@Test
	void replicasAssignTheSameClientsToTheSameBuckets() {
		Traffic one = new Traffic("ab", TrafficPolicy.only("1"));
		Traffic two = new Traffic("ab", TrafficPolicy.only("1"));
		Traffic otherExperiment = new Traffic("ab-2", TrafficPolicy.only("1"));
		int moved = 0;
		for (int i = 0; i < 1000; i++) {
			String client = "client-" + i;
			assertThat(one.bucket(client)).isEqualTo(two.bucket(client)).isBetween(0L, 999_999L);
			moved += one.bucket(client) != otherExperiment.bucket(client) ? 1 : 0;
		}
		assertThat(moved).as("a new experiment reshuffles").isGreaterThan(990);
	}

	@Test
	void sharesAreSpreadAsWeighted() {
		TrafficPolicy policy = new TrafficPolicy("1", Map.of("1", 90, "2", 10), null);
		Traffic traffic = new Traffic("ab", policy);
		int two = 0;
		for (int i = 0; i < 20_000; i++) {
			two += policy.pick(traffic.bucket("c" + i) * policy.total() / 1_000_000L).equals("2") ? 1 : 0;
		}
		// 10% of 20,000 is 2,000 with a standard deviation of 42
		assertThat(two).isBetween(2000 - 210, 2000 + 210);
		assertThat(policy.share("2")).isEqualTo(0.1);
		assertThat(policy.versions()).containsExactly("1", "2");
	}

	@Test
	void policiesAreValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TrafficPolicy("1", Map.of("1", 0), null));
		assertThatIllegalArgumentException().isThrownBy(() -> new TrafficPolicy("1", Map.of("1", -5, "2", 10), null));
		assertThatIllegalArgumentException().isThrownBy(() -> new TrafficPolicy("1", null, "1"));
		assertThatIllegalArgumentException().isThrownBy(() -> new TrafficPolicy(" ", null, null));
		// each fits an int, their sum does not: it wrapped to a negative total and a
		// share of 1.17 each
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new TrafficPolicy("1", Map.of("1", Integer.MAX_VALUE, "2", Integer.MAX_VALUE), null))
			.withMessageContaining("at most");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new TrafficPolicy("1", Map.of("1", 2_000_000_000, "2", 300_000_000), null));
		assertThat(new TrafficPolicy("1", Map.of("1", 999_999, "2", 1), null).share("2")).isEqualTo(1e-6);
		assertThat(new TrafficPolicy("1", null, "2").versions()).containsExactly("1", "2");
	}

}
