package dev.digits.training;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The pictures of a training run: loss and accuracy per epoch, and the test confusion
 * matrix.
 */
final class Charts {

	private Charts() {
	}

	static void curves(List<Trainer.Epoch> history, int bestEpoch, Path png) throws IOException {
		XYSeries train = new XYSeries("training loss");
		XYSeries validation = new XYSeries("validation loss");
		XYSeries accuracy = new XYSeries("validation accuracy");
		for (Trainer.Epoch e : history) {
			train.add(e.epoch(), e.trainLoss());
			validation.add(e.epoch(), e.validationLoss());
			accuracy.add(e.epoch(), e.validationAccuracy());
		}
		NumberAxis epochs = new NumberAxis("epoch");
		epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
		NumberAxis loss = new NumberAxis("cross-entropy loss");
		XYPlot plot = new XYPlot(new XYSeriesCollection(train), epochs, loss, renderer(Color.BLUE));
		XYSeriesCollection validationLoss = new XYSeriesCollection(validation);
		plot.setDataset(1, validationLoss);
		plot.setRenderer(1, renderer(new Color(0, 140, 0)));
		NumberAxis acc = new NumberAxis("validation accuracy");
		acc.setAutoRangeIncludesZero(false);
		plot.setRangeAxis(1, acc);
		plot.setDataset(2, new XYSeriesCollection(accuracy));
		plot.setRenderer(2, renderer(Color.RED));
		plot.mapDatasetToRangeAxis(2, 1);
		JFreeChart chart = new JFreeChart("MNIST CNN training (best epoch " + bestEpoch + ")",
				JFreeChart.DEFAULT_TITLE_FONT, plot, true);
		chart.setBackgroundPaint(Color.WHITE);
		ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
	}

	private static XYLineAndShapeRenderer renderer(Color color) {
		XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
		renderer.setSeriesPaint(0, color);
		renderer.setSeriesStroke(0, new BasicStroke(2f));
		return renderer;
	}

	static void confusion(ClassificationReport report, Path png) throws IOException {
		long[][] matrix = report.confusion();
		int k = matrix.length;
		double[] xs = new double[k * k];
		double[] ys = new double[k * k];
		double[] zs = new double[k * k];
		long max = 1;
		for (int actual = 0; actual < k; actual++) {
			for (int predicted = 0; predicted < k; predicted++) {
				int i = actual * k + predicted;
				xs[i] = predicted;
				ys[i] = actual;
				zs[i] = matrix[actual][predicted];
				if (actual != predicted) {
					max = Math.max(max, matrix[actual][predicted]);
				}
			}
		}
		DefaultXYZDataset dataset = new DefaultXYZDataset();
		dataset.addSeries("count", new double[][] { xs, ys, zs });
		String[] digits = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
		SymbolAxis predictedAxis = new SymbolAxis("predicted", digits);
		SymbolAxis actualAxis = new SymbolAxis("actual", digits);
		actualAxis.setInverted(true);
		XYBlockRenderer renderer = new XYBlockRenderer();
		// errors shade from white to orange on their own scale; the diagonal is blue
		LookupPaintScale scale = new LookupPaintScale(0, Double.MAX_VALUE, Color.WHITE);
		for (int step = 1; step <= 10; step++) {
			double from = Math.max(1, max * (step - 1) / 10.0);
			scale.add(from, new Color(255, 255 - step * 20, 255 - step * 25));
		}
		scale.add(max + 1.0, new Color(70, 110, 200));
		renderer.setPaintScale(scale);
		renderer.setDefaultItemLabelsVisible(true);
		renderer.setDefaultItemLabelGenerator((data, series, item) -> String
			.valueOf((long) ((org.jfree.data.xy.XYZDataset) data).getZValue(series, item)));
		renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		XYPlot plot = new XYPlot(dataset, predictedAxis, actualAxis, renderer);
		plot.setBackgroundPaint(Color.WHITE);
		JFreeChart chart = new JFreeChart("Test confusion matrix", JFreeChart.DEFAULT_TITLE_FONT, plot, false);
		chart.addSubtitle(new TextTitle(String.format(java.util.Locale.ROOT, "accuracy %.2f%% on %d test images",
				report.accuracy() * 100, report.examples())));
		chart.setBackgroundPaint(Color.WHITE);
		ChartUtils.saveChartAsPNG(png.toFile(), chart, 700, 650);
	}

}
