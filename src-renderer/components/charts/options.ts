/** Pure builders of ECharts options for the workbench's few chart kinds. */
import type { ChartOption } from './echarts';

const AXIS_LABEL = { fontSize: 11 };
/** One colour per run (or series group) so a run's train and validation lines match. */
export const PALETTE = [
  '#2f6db5',
  '#d9622b',
  '#2a9d5c',
  '#8e44ad',
  '#c0392b',
  '#16a0a5',
  '#b7950b',
  '#6d4c41',
  '#e84393',
  '#555555',
  '#0984e3',
  '#00b894',
];
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
const BLUES = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];

export interface BarSeries {
  name: string;
  data: (number | null)[];
  stack?: string;
}

/** Vertical (or horizontal) bars over named categories; several series are grouped or stacked. */
export function barOption(o: {
  categories: string[];
  series: BarSeries[];
  xName?: string;
  yName?: string;
  horizontal?: boolean;
  yMax?: number;
  digits?: number;
  /** Histogram bins: let ECharts thin out the category labels instead of printing each. */
  sparseLabels?: boolean;
}): ChartOption {
  const rotate = !o.horizontal && !o.sparseLabels && o.categories.length > 10 ? 45 : 0;
  const catAxis = {
    type: 'category' as const,
    data: o.categories,
    axisLabel: { ...AXIS_LABEL, interval: o.sparseLabels ? ('auto' as const) : 0, rotate },
  };
  const valAxis = { type: 'value' as const, name: o.horizontal ? o.xName : o.yName, max: o.yMax, axisLabel: AXIS_LABEL };
  return {
    grid: { left: o.horizontal ? 90 : 50, right: 20, top: o.series.length > 1 ? 44 : 30, bottom: rotate ? 70 : o.xName ? 50 : 30 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => fmt(v, o.digits) },
    legend: o.series.length > 1 ? { top: 0, type: 'scroll' } : undefined,
    xAxis: o.horizontal ? valAxis : { ...catAxis, name: o.xName, nameLocation: 'middle' as const, nameGap: rotate ? 55 : 28 },
    yAxis: o.horizontal ? { ...catAxis, inverse: true } : valAxis,
    series: o.series.map((s) => ({ type: 'bar' as const, name: s.name, data: s.data, stack: s.stack, barMaxWidth: 40 })),
  };
}

export interface LineSeries {
  name: string;
  points: [number, number | null][];
  dashed?: boolean;
  /** Many-point series (per batch) are drawn thin and without symbols. */
  dense?: boolean;
  color?: string;
}

/** Lines over a numeric x axis (epochs, steps, seconds). */
export function lineOption(o: {
  series: LineSeries[];
  xName?: string;
  yName?: string;
  yMin?: number;
  yMax?: number;
  digits?: number;
  emptyText?: string;
}): ChartOption {
  const empty = o.series.every((s) => s.points.length === 0);
  return {
    title: empty
      ? { text: o.emptyText ?? 'no data yet', left: 'center', top: 'middle', textStyle: { fontSize: 13, color: '#888', fontWeight: 'normal' } }
      : undefined,
    grid: { left: 60, right: 20, top: o.yName ? 58 : 36, bottom: 40 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, o.digits ?? 4) },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'value', name: o.xName, nameLocation: 'middle', nameGap: 25, axisLabel: AXIS_LABEL, minInterval: 1, scale: true },
    yAxis: { type: 'value', name: o.yName, min: o.yMin, max: o.yMax, axisLabel: AXIS_LABEL, scale: o.yMin === undefined },
    series: o.series.map((s) => ({
      type: 'line' as const,
      name: s.name,
      data: s.points,
      showSymbol: !s.dense && s.points.length < 60,
      symbolSize: 5,
      connectNulls: true,
      lineStyle: { width: s.dense ? 1 : 2, type: s.dashed ? ('dashed' as const) : ('solid' as const), opacity: s.dense ? 0.5 : 1, color: s.color },
      itemStyle: s.color ? { color: s.color } : undefined,
      animation: false,
    })),
  };
}

/** A matrix as a heatmap: `matrix[row][col]`, rows on the y axis. */
export function heatmapOption(o: {
  matrix: number[][];
  xLabels: string[];
  yLabels: string[];
  xName?: string;
  yName?: string;
  /** Print each cell's value (confusion matrices; not spectrograms). */
  showValues?: boolean;
  digits?: number;
  /** First row at the top (matrices) instead of the bottom (spectrograms). */
  rowsTopDown?: boolean;
  palette?: 'blues' | 'viridis';
  min?: number;
  max?: number;
}): ChartOption {
  const data: [number, number, number][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  o.matrix.forEach((row, r) =>
    row.forEach((v, c) => {
      data.push([c, r, v]);
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }),
  );
  const dense = o.xLabels.length > 40;
  return {
    grid: { left: dense ? 55 : 95, right: 70, top: 10, bottom: dense ? 40 : 70 },
    tooltip: {
      position: 'top',
      formatter: (p) => {
        const v = (p as unknown as { value: [number, number, number] }).value;
        return `${o.yName ?? 'row'} ${o.yLabels[v[1]]} · ${o.xName ?? 'col'} ${o.xLabels[v[0]]}: ${fmt(v[2], o.digits ?? 3)}`;
      },
    },
    xAxis: {
      type: 'category',
      data: o.xLabels,
      name: o.xName,
      nameLocation: 'middle',
      nameGap: dense ? 25 : 50,
      axisLabel: { ...AXIS_LABEL, rotate: dense ? 0 : 35 },
      splitArea: { show: !dense },
    },
    yAxis: {
      type: 'category',
      data: o.yLabels,
      name: o.yName,
      nameLocation: 'middle',
      nameGap: dense ? 35 : 75,
      inverse: Boolean(o.rowsTopDown),
      axisLabel: AXIS_LABEL,
      splitArea: { show: !dense },
    },
    visualMap: {
      min: o.min ?? (Number.isFinite(lo) ? lo : 0),
      max: o.max ?? (Number.isFinite(hi) ? hi : 1),
      calculable: true,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemHeight: 120,
      inRange: { color: o.palette === 'viridis' ? VIRIDIS : BLUES },
    },
    series: [
      {
        type: 'heatmap',
        data,
        label: { show: Boolean(o.showValues), fontSize: 11, formatter: (p) => fmt((p.value as number[])[2], o.digits ?? 0) },
        progressive: 0,
        animation: false,
      },
    ],
  };
}

function fmt(v: unknown, digits = 3): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '–' : String(v);
  return Number.isInteger(v) && digits === 0 ? String(v) : v.toFixed(digits);
}
