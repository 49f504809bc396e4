package dev.digits.serving;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The routing rules every protocol shares, checked once in the data plane. */
class DataPlaneRoutingTests {

	@Test
	void aRequestMayPinAVersionKeepAClientAndRestrictTheDigits() {
		List<String> assigned = new ArrayList<>();
		RecognitionService.Routing routing = DataPlane.routing(" 3 ", "client-7", "1, 2,3", assigned::add);
		assertThat(routing.pinnedVersion()).isEqualTo("3");
		assertThat(routing.clientId()).isEqualTo("client-7");
		assertThat(routing.allowedDigits()).containsExactlyInAnyOrder(1, 2, 3);
		routing.assigned().accept("3");
		assertThat(assigned).containsExactly("3");
	}

	@Test
	void blankValuesMeanNone() {
		RecognitionService.Routing routing = DataPlane.routing("", "  ", null, null);
		assertThat(routing.pinnedVersion()).isNull();
		assertThat(routing.clientId()).isNull();
		assertThat(routing.allowedDigits()).isNull();
	}

	@Test
	void malformedRoutingIsTheClientsMistakeAndNamesIt() {
		assertThatThrownBy(() -> DataPlane.routing("../1", null, null, null))
			.isInstanceOf(DataPlane.InvalidInferenceException.class)
			.hasMessageContaining("is not a model version");
		assertThatThrownBy(() -> DataPlane.routing("x".repeat(200), null, null, null))
			.isInstanceOf(DataPlane.InvalidInferenceException.class)
			.hasMessageContaining("...");
		assertThatThrownBy(() -> DataPlane.routing(null, "c".repeat(DataPlane.MAX_CLIENT_ID + 1), null, null))
			.isInstanceOf(DataPlane.InvalidInferenceException.class)
			.hasMessageContaining("at most 256 characters");
		for (String allowed : new String[] { "1,,2", "10", "a", "1;2" }) {
			assertThatThrownBy(() -> DataPlane.routing(null, null, allowed, null)).as(allowed)
				.isInstanceOf(DataPlane.InvalidInferenceException.class)
				.hasMessageContaining("allowed must list digits 0 to 9");
		}
	}

	@Test
	void theModelsTensorsAreDescribedOnce() {
		assertThat(DataPlane.OUTPUTS).extracting(DataPlane.TensorSpec::name)
			.containsExactly("probabilities", "digit", "confidence", "uncertain", "out_of_distribution",
					"several_digits", "feedback_token");
		assertThat(DataPlane.INPUTS).extracting(DataPlane.TensorSpec::datatype)
			.containsExactly("FP32", "UINT8", "BYTES");
	}

}
