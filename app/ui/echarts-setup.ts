// ECharts with only the chart kinds and components Board draws (tree-shaken), registered once.
// Loaded on demand by echart.tsx, so the page hydrates without waiting for it.
import * as echarts from 'echarts/core';
import { CustomChart, LineChart, LinesChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  CustomChart,
  LineChart,
  LinesChart,
  ScatterChart,
  ParallelChart,
  GridComponent,
  TooltipComponent,
  AxisPointerComponent,
  DataZoomComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
