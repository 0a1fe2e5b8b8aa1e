// The charts and components the pages use, and nothing else: built by tools/echarts/build.sh.
// Only `window.echarts.init` (and a few helpers) is exposed, so the bundler can drop the rest of core.
import { init, use, getInstanceByDom, dispose } from "echarts/core";
import { BarChart, LineChart, RadarChart } from "echarts/charts";
import {
  AriaComponent, GridComponent, LegendComponent, MarkLineComponent, RadarComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

use([
  BarChart, LineChart, RadarChart,
  AriaComponent, GridComponent, LegendComponent, MarkLineComponent, RadarComponent,
  TooltipComponent, CanvasRenderer,
]);
window.echarts = { init: init, getInstanceByDom: getInstanceByDom, dispose: dispose };
