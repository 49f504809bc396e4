package dev.digits.training;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Pictures of the model-quality evaluation: sample sheets, reliability diagrams, ROC
 * curves.
 */
final class QualityCharts {

	private QualityCharts() {
	}

	/**
	 * One row per set: its name, then the first {@code perRow} images (ink white on
	 * black).
	 */
	static void samples(List<RobustnessSets.LabelledSet> sets, int perRow, Path png) throws IOException {
		int zoom = 2;
		int cell = 28 * zoom + 2;
		int label = 130;
		BufferedImage image = new BufferedImage(label + perRow * cell, sets.size() * cell, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, image.getWidth(), image.getHeight());
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		for (int r = 0; r < sets.size(); r++) {
			RobustnessSets.LabelledSet set = sets.get(r);
			g.setColor(Color.BLACK);
			g.drawString(set.name(), 4, r * cell + cell / 2 + 4);
			// a fixed random choice, so that every kind of a mixed set can show
			java.util.Random pick = new java.util.Random(r);
			for (int c = 0; c < Math.min(perRow, set.size()); c++) {
				int index = pick.nextInt(set.size());
				for (int y = 0; y < 28; y++) {
					for (int x = 0; x < 28; x++) {
						int v = Math.round(255 * set.pixels()[index * 784 + y * 28 + x]);
						g.setColor(new Color(v, v, v));
						g.fillRect(label + c * cell + x * zoom, r * cell + y * zoom, zoom, zoom);
					}
				}
			}
		}
		g.dispose();
		ImageIO.write(image, "png", png.toFile());
	}

	/**
	 * Accuracy against confidence per bin, before and after temperature scaling, with the
	 * diagonal.
	 */
	static void reliability(String title, Calibration.Metrics before, Calibration.Metrics after, double temperature,
			Path png) throws IOException {
		XYSeries diagonal = new XYSeries("perfect calibration");
		diagonal.add(0, 0);
		diagonal.add(1, 1);
		XYSeriesCollection data = new XYSeriesCollection(diagonal);
		data.addSeries(series("softmax (ECE " + pct(before.ece()) + ")", before));
		data.addSeries(series(
				"T = " + String.format(java.util.Locale.ROOT, "%.3f", temperature) + " (ECE " + pct(after.ece()) + ")",
				after));
		XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
		renderer.setSeriesPaint(0, Color.GRAY);
		renderer.setSeriesShapesVisible(0, false);
		renderer.setSeriesStroke(0,
				new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] { 4f, 4f }, 0f));
		renderer.setSeriesPaint(1, Color.RED);
		renderer.setSeriesPaint(2, Color.BLUE);
		NumberAxis x = new NumberAxis("confidence (mean of bin, 15 equal-width bins)");
		x.setRange(0, 1);
		NumberAxis y = new NumberAxis("accuracy in bin");
		y.setRange(0, 1);
		XYPlot plot = new XYPlot(data, x, y, renderer);
		plot.setBackgroundPaint(Color.WHITE);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
		JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
		chart.addSubtitle(new TextTitle("points: bins with at least one example"));
		chart.setBackgroundPaint(Color.WHITE);
		ChartUtils.saveChartAsPNG(png.toFile(), chart, 700, 600);
	}

	private static XYSeries series(String name, Calibration.Metrics m) {
		XYSeries s = new XYSeries(name, false);
		for (int b = 0; b < m.binCounts().length; b++) {
			if (m.binCounts()[b] > 0) {
				s.add(m.binConfidence()[b], m.binAccuracy()[b]);
			}
		}
		return s;
	}

	/**
	 * ROC curves of OOD scores: rate of non-digits flagged against rate of digits
	 * flagged.
	 */
	static void roc(String title, List<String> names, List<double[][]> curves, Path png) throws IOException {
		XYSeriesCollection data = new XYSeriesCollection();
		for (int i = 0; i < names.size(); i++) {
			XYSeries s = new XYSeries(names.get(i), false);
			double[][] curve = curves.get(i);
			for (int p = 0; p < curve[0].length; p++) {
				s.add(curve[0][p], curve[1][p]);
			}
			data.addSeries(s);
		}
		XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
		NumberAxis x = new NumberAxis("digits flagged (false-flag rate)");
		x.setRange(0, 1);
		NumberAxis y = new NumberAxis("non-digits flagged");
		y.setRange(0, 1);
		XYPlot plot = new XYPlot(data, x, y, renderer);
		plot.setBackgroundPaint(Color.WHITE);
		JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
		chart.setBackgroundPaint(Color.WHITE);
		ChartUtils.saveChartAsPNG(png.toFile(), chart, 700, 600);
	}

	private static String pct(double v) {
		return String.format(java.util.Locale.ROOT, "%.2f%%", 100 * v);
	}

}
