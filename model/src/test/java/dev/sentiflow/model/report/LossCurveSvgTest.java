package dev.sentiflow.model.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LossCurveSvgTest {

    @Test
    void rendersWellFormedSvgWithBothSeriesAxesAndLabels() throws Exception {
        List<Double> train = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            train.add(0.7 * Math.exp(-i / 60.0) + 0.05 * Math.sin(i));
        }
        List<LossCurveSvg.EvalPoint> eval = List.of(
                new LossCurveSvg.EvalPoint(40, 0.45), new LossCurveSvg.EvalPoint(80, 0.38), new LossCurveSvg.EvalPoint(120, 0.36));
        String svg = LossCurveSvg.render("LoRA <minilm> & fine food", train, eval);

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getTagName());
        assertEquals("http://www.w3.org/2000/svg", root.getAttribute("xmlns"));
        assertEquals(3, doc.getElementsByTagName("circle").getLength(), "one point per epoch");
        NodeList polylines = doc.getElementsByTagName("polyline");
        // axes, raw train, smoothed train, eval
        assertEquals(4, polylines.getLength());
        String raw = ((Element) polylines.item(1)).getAttribute("points");
        assertEquals(120, raw.split(" ").length, "one vertex per step");
        assertTrue(svg.contains("optimizer step") && svg.contains(">loss<"));
        assertTrue(svg.contains("LoRA &lt;minilm&gt; &amp; fine food"));
    }

    @Test
    void ticksAreRoundNumbers() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8}, LossCurveSvg.niceTicks(0, 0.73, 6), 1e-12);
        assertArrayEquals(new double[] {0, 250, 500, 750}, LossCurveSvg.niceTicks(0, 750, 3), 1e-12);
    }

    @Test
    void tickLabelsShowTheDecimalsTheSpacingNeeds() {
        double[] loss = {0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2};
        assertEquals("0.0", LossCurveSvg.tick(0, loss));
        assertEquals("0.8", LossCurveSvg.tick(0.8000000000000002, loss));
        assertEquals("1.2", LossCurveSvg.tick(1.2, loss));
        assertEquals("0.25", LossCurveSvg.tick(0.25, new double[] {0, 0.25, 0.5}));
        assertEquals("300", LossCurveSvg.tick(300, new double[] {0, 100, 200, 300}));
    }

    @Test
    void movingAverageIsTrailing() {
        assertEquals(List.of(1.0, 1.5, 2.5, 3.5), LossCurveSvg.movingAverage(List.of(1.0, 2.0, 3.0, 4.0), 2));
    }
}
