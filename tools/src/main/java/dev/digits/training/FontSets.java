package dev.digits.training;

import java.awt.Font;
import java.util.ArrayList;
import java.util.List;

/**
 * The font families that printed digits and letters are drawn from, split once and for
 * all into those training may use and those kept for evaluation only, so that the
 * printed-digit figures measure fonts the network never saw. Families come from Debian
 * packages (named beside each); a family that is not installed is skipped, and
 * {@link #require} refuses to go on with too few of them.
 */
public final class FontSets {

	/**
	 * Training families: DejaVu (fonts-dejavu-core, -extra), Liberation
	 * (fonts-liberation), the URW base 35 clones of Helvetica, Times, Courier, Bookman,
	 * Avant Garde, Century Schoolbook, Palatino and Zapf Chancery (fonts-urw-base35), GNU
	 * FreeFont (fonts-freefont-ttf), Arimo, Tinos, Cousine (fonts-croscore), Open Sans
	 * (fonts-open-sans), Roboto (fonts-roboto), Cantarell (fonts-cantarell).
	 */
	public static final List<String> TRAINING = List.of("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono",
			"Liberation Sans", "Liberation Serif", "Liberation Mono", "Liberation Sans Narrow", "Nimbus Sans",
			"Nimbus Roman", "Nimbus Mono PS", "Nimbus Sans Narrow", "URW Bookman", "URW Gothic", "C059", "P052", "Z003",
			"FreeSans", "FreeSerif", "FreeMono", "Arimo", "Tinos", "Cousine", "Open Sans", "Roboto", "Roboto Condensed",
			"Cantarell");

	/**
	 * Held-out families, never used by training: Comic Neue (fonts-comic-neue), Humor
	 * Sans (fonts-humor-sans), Carlito and Caladea (fonts-crosextra-carlito, -caladea),
	 * Lato (fonts-lato), Inconsolata (fonts-inconsolata), EB Garamond (fonts-ebgaramond),
	 * Hack (fonts-hack).
	 */
	public static final List<String> HELD_OUT = List.of("Comic Neue", "Humor Sans", "Carlito", "Caladea", "Lato",
			"Inconsolata", "EB Garamond", "Hack");

	/**
	 * More training families, which the {@code -fonts} recipes draw from beside
	 * {@link #TRAINING} (versions 1 to 6 never saw them): handwriting and comic-like
	 * (fonts-dkg-handwriting, fonts-femkeklaver, fonts-tomsontalks, fonts-isabella),
	 * rounded and geometric (fonts-quicksand, fonts-comfortaa, fonts-league-spartan),
	 * humanist and grotesque sans (fonts-cabin, fonts-sil-andika, fonts-oxygen,
	 * fonts-b612, fonts-averia-sans-gwf, fonts-adf-gillius), serifs
	 * (fonts-linuxlibertine, fonts-cmu, fonts-vollkorn, fonts-sil-charis,
	 * fonts-adf-baskervald) and monospace (fonts-jetbrains-mono, fonts-go,
	 * fonts-fantasque-sans).
	 */
	public static final List<String> ADDED = List.of("DkgHandwriting", "femkeklaver", "Tomson Talks", "Isabella",
			"Quicksand", "Comfortaa", "League Spartan", "Cabin", "Andika", "Oxygen-Sans", "B612", "Averia Sans GWF",
			"Gillius ADF", "Linux Libertine O", "Linux Biolinum O", "CMU Serif", "CMU Sans Serif", "Vollkorn",
			"Charis SIL", "Baskervald ADF Std", "JetBrains Mono", "Go", "Go Mono", "Fantasque Sans Mono");

	/**
	 * Validation families: never trained on and never in the held-out figures, only used
	 * to choose between runs and epochs on fonts the networks did not see (the held-out
	 * families must not inform a choice): Breip (fonts-breip), Klaudia
	 * (fonts-klaudia-berenika), Inter (fonts-inter), mononoki (fonts-mononoki), Yanone
	 * Kaffeesatz (fonts-yanone-kaffeesatz), Manrope (fonts-manrope), Play (fonts-play),
	 * Universalis (fonts-adf-universalis), Junicode (fonts-junicode).
	 */
	public static final List<String> VALIDATION = List.of("Breip", "Klaudia", "Inter", "mononoki", "Yanone Kaffeesatz",
			"Manrope", "Play", "Universalis ADF Std", "Junicode Two Beta");

	/** The Debian packages that provide every list. */
	public static final String PACKAGES = "fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-urw-base35 "
			+ "fonts-freefont-ttf fonts-croscore fonts-open-sans fonts-roboto fonts-cantarell fonts-comic-neue "
			+ "fonts-humor-sans fonts-crosextra-carlito fonts-crosextra-caladea fonts-lato fonts-inconsolata "
			+ "fonts-ebgaramond fonts-hack fonts-dkg-handwriting fonts-femkeklaver fonts-tomsontalks fonts-isabella "
			+ "fonts-quicksand fonts-comfortaa fonts-league-spartan fonts-cabin fonts-sil-andika fonts-oxygen "
			+ "fonts-b612 fonts-averia-sans-gwf fonts-adf-gillius fonts-linuxlibertine fonts-cmu fonts-vollkorn "
			+ "fonts-sil-charis fonts-adf-baskervald fonts-jetbrains-mono fonts-go fonts-fantasque-sans fonts-breip "
			+ "fonts-klaudia-berenika fonts-inter fonts-mononoki fonts-yanone-kaffeesatz fonts-manrope fonts-play "
			+ "fonts-adf-universalis fonts-junicode";

	private FontSets() {
	}

	/**
	 * The installed families of {@code families} in plain, bold and italic, each able to
	 * draw every character of {@code characters}. The JDK silently substitutes its
	 * logical "Dialog" font for a family it cannot find; such fonts are not returned.
	 */
	public static List<Font> installed(List<String> families, String characters) {
		List<Font> fonts = new ArrayList<>();
		for (String family : families) {
			for (int style : new int[] { Font.PLAIN, Font.BOLD, Font.ITALIC }) {
				Font font = new Font(family, style, 10);
				if (font.getFamily().equals(family) && font.canDisplayUpTo(characters) == -1) {
					fonts.add(font);
				}
			}
		}
		return fonts;
	}

	/**
	 * {@link #installed} with at least {@code minFamilies} families present.
	 * @throws IllegalStateException naming the Debian packages to install
	 */
	public static List<Font> require(List<String> families, String characters, int minFamilies) {
		List<Font> fonts = installed(families, characters);
		long present = fonts.stream().map(Font::getFamily).distinct().count();
		if (present < minFamilies) {
			throw new IllegalStateException(
					"only " + present + " of the font families " + families + " are installed (at least " + minFamilies
							+ " are needed); install the Debian packages: " + PACKAGES);
		}
		return fonts;
	}

}
