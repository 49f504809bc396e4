package dev.digits.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Figures of one model on the {@link PhotoSets}: for digit sets, the share answered right
 * out of all examples made (a refusal by the preprocessor counts as wrong), per
 * condition, with calibration and the share flagged out-of-distribution; for the
 * non-digit set, the share caught (flagged, refused, or seen as several digits), per
 * kind. The service decides "not a digit" the same way.
 */
public final class PhotoEvaluation {

	/** Targets for every model on these sets. */
	public static final double PHOTO_TARGET = 0.97;

	public static final double CONDITION_TARGET = 0.95;

	public static final double PRINTED_TARGET = 0.99;

	public static final double LOW_RESOLUTION_TARGET = 0.97;

	public static final double NON_DIGIT_TARGET = 0.90;

	public static final double DIGIT_FLAG_TARGET = 0.02;

	public static final double ECE_TARGET = 0.02;

	private static final int K = DigitNetwork.CLASSES;

	/** One digit set's figures. */
	public record DigitFigures(String set, int made, int refused, double right, Map<String, Double> rightByKind,
			double eceBefore, double eceAfter, double flagged, double severalDigits, double uncertain) {
	}

	/** The non-digit set's figures. */
	public record NonDigitFigures(int made, int refused, double caught, Map<String, Double> caughtByKind) {
	}

	/** Everything for one model. */
	public record Figures(String model, List<DigitFigures> digits, NonDigitFigures nonDigits) {
	}

	private PhotoEvaluation() {
	}

	public static Figures evaluate(String model, MultiLayerNetwork network, ModelQuality.Fitted fitted,
			List<PhotoSets.PhotoSet> digitSets, PhotoSets.PhotoSet nonDigits) {
		double t = fitted.temperature();
		List<DigitFigures> digits = new ArrayList<>();
		for (PhotoSets.PhotoSet photoSet : digitSets) {
			RobustnessSets.LabelledSet set = photoSet.set();
			NetworkOutputs outputs = NetworkOutputs.of(network, set.pixels());
			double[] raw = Calibration.toDouble(outputs.probabilities());
			double[] calibrated = Calibration.scale(outputs.probabilities(), t);
			double[] scores = OodScores.score(fitted.score(), outputs, t, fitted.gaussian());
			boolean[] correct = new boolean[set.size()];
			int right = 0;
			int flagged = 0;
			int several = 0;
			int uncertain = 0;
			for (int r = 0; r < set.size(); r++) {
				int predicted = ModelQuality.argMax(calibrated, r);
				correct[r] = predicted == set.labels()[r];
				right += correct[r] ? 1 : 0;
				flagged += scores[r] > fitted.threshold() ? 1 : 0;
				several += photoSet.severalDigits()[r] ? 1 : 0;
				uncertain += calibrated[r * K + predicted] < fitted.uncertainBelow() ? 1 : 0;
			}
			int made = photoSet.made();
			digits.add(new DigitFigures(set.name(), made, set.rejected(), (double) right / made,
					PhotoSets.accuracyByKind(photoSet, correct), Calibration.metrics(raw, set.labels()).ece(),
					Calibration.metrics(calibrated, set.labels()).ece(), share(flagged, set.size()),
					share(several, set.size()), share(uncertain, set.size())));
		}
		RobustnessSets.LabelledSet others = nonDigits.set();
		NetworkOutputs outputs = NetworkOutputs.of(network, others.pixels());
		double[] scores = OodScores.score(fitted.score(), outputs, t, fitted.gaussian());
		int[] caughtByKind = nonDigits.refusedByKind().clone();
		int[] madeByKind = nonDigits.refusedByKind().clone();
		for (int r = 0; r < others.size(); r++) {
			int kind = others.kinds()[r];
			madeByKind[kind]++;
			if (scores[r] > fitted.threshold() || nonDigits.severalDigits()[r]) {
				caughtByKind[kind]++;
			}
		}
		Map<String, Double> byKind = new LinkedHashMap<>();
		int caught = 0;
		for (int k = 0; k < others.kindNames().size(); k++) {
			byKind.put(others.kindNames().get(k), share(caughtByKind[k], madeByKind[k]));
			caught += caughtByKind[k];
		}
		return new Figures(model, digits,
				new NonDigitFigures(nonDigits.made(), others.rejected(), share(caught, nonDigits.made()), byKind));
	}

	/** The markdown section comparing every model. */
	public static String markdown(List<Figures> all, List<PhotoSets.PhotoSet> digitSets, PhotoSets.PhotoSet nonDigits) {
		StringBuilder md = new StringBuilder();
		md.append("## Photos, printed digits, 8x8 scans and non-digits\n\n");
		md.append("Made from MNIST test digits and held-out fonts with the evaluation seed; never used for a choice. ")
			.append("Right = answered right out of all examples made (a refusal counts as wrong). Targets: photos ")
			.append(pct(PHOTO_TARGET))
			.append(" (each condition ")
			.append(pct(CONDITION_TARGET))
			.append("), printed ")
			.append(pct(PRINTED_TARGET))
			.append(", 8x8 ")
			.append(pct(LOW_RESOLUTION_TARGET))
			.append(", non-digits caught ")
			.append(pct(NON_DIGIT_TARGET))
			.append(" with at most ")
			.append(pct(DIGIT_FLAG_TARGET))
			.append(" of digits flagged, ECE ")
			.append(pct(ECE_TARGET))
			.append(".\n\n");
		md.append("| set | made | refused |");
		for (Figures f : all) {
			md.append(' ').append(f.model()).append(" right | flagged | ECE |");
		}
		md.append("\n|---|---:|---:|").append("---:|---:|---:|".repeat(all.size())).append('\n');
		for (int s = 0; s < digitSets.size(); s++) {
			DigitFigures first = all.get(0).digits().get(s);
			md.append("| ")
				.append(first.set())
				.append(" | ")
				.append(first.made())
				.append(" | ")
				.append(first.refused())
				.append(" |");
			for (Figures f : all) {
				DigitFigures d = f.digits().get(s);
				md.append(' ')
					.append(pct(d.right()))
					.append(" | ")
					.append(pct(d.flagged()))
					.append(" | ")
					.append(pct(d.eceAfter()))
					.append(" |");
			}
			md.append('\n');
			for (String kind : first.rightByKind().keySet()) {
				if (first.rightByKind().size() < 2) {
					break;
				}
				md.append("| ").append(first.set()).append(": ").append(kind).append(" | | |");
				for (Figures f : all) {
					md.append(' ').append(pct(f.digits().get(s).rightByKind().get(kind))).append(" | | |");
				}
				md.append('\n');
			}
		}
		md.append("\nNon-digits caught (flagged out-of-distribution, refused as blank, or seen as several digits), ")
			.append(nonDigits.made())
			.append(" made, ")
			.append(nonDigits.set().rejected())
			.append(" refused by the preprocessor:\n\n| kind |");
		for (Figures f : all) {
			md.append(' ').append(f.model()).append(" |");
		}
		md.append("\n|---|").append("---:|".repeat(all.size())).append('\n');
		md.append("| all |");
		for (Figures f : all) {
			md.append(' ').append(pct(f.nonDigits().caught())).append(" |");
		}
		md.append('\n');
		for (String kind : all.get(0).nonDigits().caughtByKind().keySet()) {
			md.append("| ").append(kind).append(" |");
			for (Figures f : all) {
				md.append(' ').append(pct(f.nonDigits().caughtByKind().get(kind))).append(" |");
			}
			md.append('\n');
		}
		md.append("\n| set | how it is made |\n|---|---|\n");
		for (PhotoSets.PhotoSet set : digitSets) {
			md.append("| ").append(set.name()).append(" | ").append(set.set().description()).append(" |\n");
		}
		md.append("| ").append(nonDigits.name()).append(" | ").append(nonDigits.set().description()).append(" |\n\n");
		return md.toString();
	}

	/** The figures as JSON-ready maps. */
	public static Map<String, Object> json(Figures f) {
		Map<String, Object> m = new LinkedHashMap<>();
		for (DigitFigures d : f.digits()) {
			Map<String, Object> e = new LinkedHashMap<>();
			e.put("made", d.made());
			e.put("refused", d.refused());
			e.put("right", d.right());
			e.put("rightByKind", d.rightByKind());
			e.put("eceBefore", d.eceBefore());
			e.put("eceAfter", d.eceAfter());
			e.put("flagged", d.flagged());
			e.put("severalDigits", d.severalDigits());
			e.put("uncertain", d.uncertain());
			m.put(d.set(), e);
		}
		m.put("non-digits", Map.of("made", f.nonDigits().made(), "refused", f.nonDigits().refused(), "caught",
				f.nonDigits().caught(), "caughtByKind", f.nonDigits().caughtByKind()));
		return m;
	}

	private static double share(int count, int of) {
		return of == 0 ? 0 : (double) count / of;
	}

	private static String pct(double v) {
		return String.format(Locale.ROOT, "%.2f%%", 100 * v);
	}

}
