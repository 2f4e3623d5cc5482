// Small inline-SVG charts: no chart library, server-rendered, and readable by screen
// readers (role="img" with a title and a description listing the values).
import { useId } from "react";

export interface Bar {
  label: string;
  value: number;
  /** What the value reads as ("$1,240.00"). */
  display: string;
}

export function ColumnChart({ title, bars, height = 160 }: { title: string; bars: Bar[]; height?: number }) {
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = 640;
  const gap = 4;
  const labelSpace = 20;
  const barWidth = bars.length ? (width - gap * (bars.length - 1)) / bars.length : width;
  const every = Math.ceil(bars.length / 6); // at most ~6 axis labels
  return (
    <svg
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      viewBox={`0 0 ${width} ${height + labelSpace}`}
      width="100%"
      style={{ display: "block" }}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{bars.map((b) => `${b.label}: ${b.display}`).join("; ")}</desc>
      <line x1="0" x2={width} y1={height} y2={height} stroke="#c9cccf" strokeWidth="1" />
      {bars.map((b, i) => {
        const h = Math.round((b.value / max) * (height - 8));
        const x = i * (barWidth + gap);
        return (
          <g key={b.label}>
            <rect x={x} y={height - h} width={barWidth} height={Math.max(h, b.value > 0 ? 2 : 0)} rx="2" fill="#2c6ecb">
              <title>{`${b.label}: ${b.display}`}</title>
            </rect>
            {i % every === 0 ? (
              <text x={x} y={height + 15} fontSize="10" fill="#616161">
                {b.label}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

export function BarList({ title, bars }: { title: string; bars: Bar[] }) {
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 30;
  const width = 640;
  return (
    <svg
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      viewBox={`0 0 ${width} ${bars.length * rowHeight}`}
      width="100%"
      style={{ display: "block" }}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{bars.map((b) => `${b.label}: ${b.display}`).join("; ")}</desc>
      {bars.map((b, i) => {
        const y = i * rowHeight;
        const w = Math.max(2, Math.round((b.value / max) * (width * 0.3)));
        return (
          <g key={b.label + i}>
            <text x="0" y={y + 19} fontSize="12" fill="#303030">
              {b.label.length > 46 ? `${b.label.slice(0, 45)}…` : b.label}
            </text>
            <rect x={width * 0.45} y={y + 7} width={w} height="16" rx="3" fill="#5c6ac4" />
            <text x={width * 0.45 + w + 6} y={y + 19} fontSize="11" fill="#616161">
              {b.display}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
