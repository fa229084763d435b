/**
 * The frame every FBNetV3 view draws in (d3): a cleared SVG with its viewBox, linear axes with labels,
 * and the inner group to plot into. The SVG is made focusable so a keyboard user reaches each chart and
 * hears its label (the values table beside it holds the numbers).
 */
import * as d3 from 'd3';

export interface Frame {
  g: d3.Selection<SVGGElement, unknown, null, undefined>;
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleContinuousNumeric<number, number>;
  innerW: number;
  innerH: number;
}

export const MARGIN = { top: 10, right: 14, bottom: 36, left: 50 };

/** A domain padded by `pad` of its span (a single value gets a span around it). */
export function padded(values: readonly number[], pad = 0.08, floor?: number): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = hi - lo || Math.abs(lo) * 0.2 || 1;
  const out: [number, number] = [lo - span * pad, hi + span * pad];
  if (floor !== undefined) out[0] = Math.max(floor, out[0]);
  return out;
}

export function plotFrame(
  svgEl: SVGSVGElement,
  options: {
    height: number;
    xDomain: [number, number];
    yDomain: [number, number];
    xLabel: string;
    yLabel: string;
    xTicks?: number;
    /** Exact tick positions (e.g. whole rounds or ranks) instead of d3's choice. */
    xTickValues?: number[];
    yTickValues?: number[];
    /** A log y axis (NME spans orders of magnitude early in training); the domain must be positive. */
    logY?: boolean;
    nice?: boolean;
  },
): Frame {
  const width = svgEl.clientWidth || 360;
  const { height } = options;
  svgEl.setAttribute('tabindex', '0');
  const svg = d3.select(svgEl);
  svg.selectAll('*').remove();
  svg.attr('viewBox', `0 0 ${width} ${height}`);
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const x = d3.scaleLinear().domain(options.xDomain).range([0, innerW]);
  const y = (options.logY ? d3.scaleLog() : d3.scaleLinear()).domain(options.yDomain).range([innerH, 0]);
  if (options.nice !== false) {
    x.nice();
    y.nice();
  }
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const xAxis = d3.axisBottom(x).ticks(options.xTicks ?? Math.max(2, Math.floor(innerW / 70)));
  if (options.xTickValues) xAxis.tickValues(options.xTickValues).tickFormat(d3.format('~g'));
  const yAxis = d3.axisLeft(y).ticks(5, options.logY ? '~g' : undefined);
  if (options.yTickValues) yAxis.tickValues(options.yTickValues).tickFormat(d3.format('~g'));
  g.append('g').attr('transform', `translate(0,${innerH})`).call(xAxis);
  g.append('g').call(yAxis);
  g.append('text')
    .attr('x', innerW / 2)
    .attr('y', innerH + 31)
    .attr('text-anchor', 'middle')
    .attr('class', 'axis-label')
    .text(options.xLabel);
  g.append('text')
    .attr('transform', `translate(${-38},${innerH / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('class', 'axis-label')
    .text(options.yLabel);
  return { g, x, y, innerW, innerH };
}

/** τ as text ('–' when undefined). */
export const fmtTau = (t: number | null) => (t === null ? '–' : t.toFixed(2));
