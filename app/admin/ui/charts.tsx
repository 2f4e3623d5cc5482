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

export interface DaySeries {
  label: string;
  points: { day: string; value: number }[];
  color: string;
  dashed?: boolean;
}

const dayIndex = (first: string, day: string): number => Math.round((Date.parse(day) - Date.parse(first)) / 86_400_000);

/**
 * Days on the x axis (first..last, YYYY-MM-DD): bars (per-day counts), lines (levels over
 * time, a dashed one for a projection) and markers (events such as restocks), one y scale.
 */
export function TimeChart({
  title,
  first,
  last,
  bars,
  lines,
  markers,
  height = 200,
}: {
  title: string;
  first: string;
  last: string;
  bars?: DaySeries;
  lines: DaySeries[];
  markers: { day: string; label: string }[];
  height?: number;
}) {
  const id = useId();
  const width = 640;
  const bottom = 20;
  const days = Math.max(1, dayIndex(first, last));
  const values = [...(bars?.points ?? []), ...lines.flatMap((l) => l.points)].map((p) => p.value);
  const max = Math.max(1, ...values);
  const x = (day: string) => (dayIndex(first, day) / days) * (width - 10) + 5;
  const y = (v: number) => height - (v / max) * (height - 16);
  const barWidth = Math.max(2, (width - 10) / (days + 1) - 2);
  const ticks = [first, ...markers.map((m) => m.day), last].filter((d, i, all) => all.indexOf(d) === i);
  const describe = [
    ...(bars ? [`${bars.label}: ${bars.points.map((p) => `${p.day} ${p.value}`).join(", ")}`] : []),
    ...lines.map((l) => `${l.label}: ${l.points.map((p) => `${p.day} ${Math.round(p.value)}`).join(", ")}`),
    ...markers.map((m) => `${m.day}: ${m.label}`),
  ].join(". ");
  return (
    <svg
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      viewBox={`0 0 ${width} ${height + bottom}`}
      width="100%"
      style={{ display: "block" }}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{describe}</desc>
      <line x1="0" x2={width} y1={height} y2={height} stroke="#c9cccf" strokeWidth="1" />
      <text x="0" y="10" fontSize="10" fill="#616161">
        {Math.round(max)}
      </text>
      {bars?.points.map((p) => (
        <rect
          key={`b${p.day}`}
          x={x(p.day) - barWidth / 2}
          y={y(p.value)}
          width={barWidth}
          height={height - y(p.value)}
          fill={bars.color}
          opacity="0.6"
        >
          <title>{`${p.day}: ${p.value} ${bars.label.toLowerCase()}`}</title>
        </rect>
      ))}
      {markers.map((m) => (
        <g key={`m${m.day}${m.label}`}>
          <line x1={x(m.day)} x2={x(m.day)} y1={8} y2={height} stroke="#29845a" strokeWidth="1.5" strokeDasharray="2 3" />
          <title>{`${m.day}: ${m.label}`}</title>
        </g>
      ))}
      {lines.map((l) =>
        l.points.length ? (
          <polyline
            key={l.label}
            points={l.points.map((p) => `${x(p.day).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ")}
            fill="none"
            stroke={l.color}
            strokeWidth="2"
            strokeDasharray={l.dashed ? "6 4" : undefined}
          >
            <title>{l.label}</title>
          </polyline>
        ) : null,
      )}
      {ticks.map((d, i) => (
        <text
          key={`t${d}`}
          x={Math.min(width - 60, x(d))}
          y={height + 15}
          fontSize="10"
          fill="#616161"
          textAnchor={i === 0 ? "start" : "middle"}
        >
          {d.slice(5)}
        </text>
      ))}
    </svg>
  );
}
