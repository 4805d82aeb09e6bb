// The result rows every benchmark reports: a figure, the reference measured in the same run, and their ratio (higher is better).
import { round } from "./stats";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference: string | null;
  referenceValue: number | null;
  /** Oriented so that higher is better: throughput value/reference, latency reference/value. */
  ratio: number | null;
  target: number | null;
  met: boolean | null;
  note?: string;
}

function row(
  name: string,
  value: number,
  unit: string,
  reference: string | null,
  referenceValue: number | null,
  ratio: number | null,
  target: number | null,
  note?: string,
): BenchResult {
  const r = ratio === null || !Number.isFinite(ratio) ? null : round(ratio, 3);
  return {
    name,
    value: round(value),
    unit,
    reference,
    referenceValue: referenceValue === null ? null : round(referenceValue),
    ratio: r,
    target,
    met: target === null || r === null ? null : r >= target,
    ...(note ? { note } : {}),
  };
}

/** A rate (higher is better): ratio = value / reference. */
export function throughput(
  name: string,
  value: number,
  unit: string,
  reference: string,
  referenceValue: number,
  target: number | null,
  note?: string,
): BenchResult {
  return row(name, value, unit, reference, referenceValue, value / referenceValue, target, note);
}

/** A time or size (lower is better): ratio = reference / value. */
export function latency(
  name: string,
  value: number,
  unit: string,
  reference: string,
  referenceValue: number,
  target: number | null,
  note?: string,
): BenchResult {
  return row(name, value, unit, reference, referenceValue, referenceValue / value, target, note);
}

/** A pure figure with no reference and no target (memory, start-up time). */
export function figure(name: string, value: number, unit: string, note?: string): BenchResult {
  return row(name, value, unit, null, null, null, null, note);
}
