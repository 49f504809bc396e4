// Makes the fine-tuning fixture tools/src/test/resources/finetune/digits/<digit>/<n>.png and labels.csv:
// "a user's own digits", printed in serif and monospaced fonts (a style MNIST lacks) on grey paper,
// slightly rotated and blurred like a phone photo of a form. Seeded: rerunning writes the same files.
// Run from the repository root: jshell scripts/make-finetune-fixture.jsh
import java.awt.*;
import java.awt.geom.*;
import java.awt.image.*;
import java.nio.file.*;
import java.util.*;
import javax.imageio.ImageIO;

var root = Path.of("tools/src/test/resources/finetune");
var random = new Random(20261127L);
String[] families = { "Liberation Serif", "Liberation Mono", "DejaVu Serif" };
int perDigit = 5;
var csv = new StringBuilder("file,label\n");
for (int digit = 0; digit < 10; digit++) {
    Files.createDirectories(root.resolve("digits/" + digit));
    for (int n = 0; n < perDigit; n++) {
        int size = 40;
        var image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        var g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int paper = 200 + random.nextInt(40);
        g.setColor(new Color(paper, paper, paper));
        g.fillRect(0, 0, size, size);
        var font = new Font(families[(digit + n) % families.length], n % 2 == 0 ? Font.BOLD : Font.PLAIN, 26 + random.nextInt(6));
        g.setFont(font);
        var text = String.valueOf(digit);
        var bounds = font.createGlyphVector(g.getFontRenderContext(), text).getVisualBounds();
        var at = new AffineTransform();
        at.translate(size / 2.0 + random.nextGaussian(), size / 2.0 + random.nextGaussian());
        at.rotate(Math.toRadians(-8 + 16 * random.nextDouble()));
        at.translate(-bounds.getCenterX(), -bounds.getCenterY());
        g.setTransform(at);
        int ink = 20 + random.nextInt(60);
        g.setColor(new Color(ink, ink, ink));
        g.drawString(text, 0, 0);
        g.dispose();
        float[] kernel = { 1 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 4 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 1 / 16f };
        var blurred = new ConvolveOp(new Kernel(3, 3, kernel), ConvolveOp.EDGE_NO_OP, null).filter(image, null);
        var name = "digits/" + digit + "/" + n + ".png";
        ImageIO.write(blurred, "png", root.resolve(name).toFile());
        csv.append(name).append(',').append(digit).append('\n');
    }
}
Files.writeString(root.resolve("labels.csv"), csv.toString());
System.out.println("wrote " + (10 * perDigit) + " images under " + root);
/exit
