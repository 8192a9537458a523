// A time-series chart (uPlot): one line per variant over the intervals of the window.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const COLOURS = ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e", "#a16207"];

export interface Line {
  label: string;
  values: number[];
}

interface Props {
  title: string;
  /** Seconds since the epoch of each point. */
  times: number[];
  lines: Line[];
  unit: string;
}

export function Chart({ title, times, lines, unit }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((l) => l.label).join("|");

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      title,
      width: Math.max(280, element.clientWidth),
      height: 240,
      scales: { x: { time: true } },
      axes: [{}, { label: unit, size: 70 }],
      series: [
        {},
        ...lines.map((l, i) => ({
          label: l.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          points: { show: true },
        })),
      ],
    };
    plot.current = new uPlot(options, [[], ...lines.map(() => [])], element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(280, element.clientWidth), height: 240 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its lines change; new points are set below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title, unit, shape]);

  useEffect(() => {
    plot.current?.setData([times, ...lines.map((l) => l.values)] as uPlot.AlignedData);
  }, [times, lines]);

  const points = times.length;
  return (
    <figure className="chart">
      <div
        ref={box}
        role="img"
        aria-label={`${title}: ${points} interval${points === 1 ? "" : "s"} per variant`}
        data-points={points}
      />
      <figcaption className="sr-only">
        {lines.map((l) => `${l.label}: ${l.values.join(", ")}`).join("; ")}
      </figcaption>
    </figure>
  );
}
