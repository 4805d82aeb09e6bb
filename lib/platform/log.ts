// Structured log lines on standard output: one JSON object per line, with the time, level and source first, so the
// monitor, notifications and automatic renewal read alike in a log collector.
export type LineWriter = (line: string) => void;

export const toStdout: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

export interface LogEntry {
  time: Date;
  level: "info" | "warning" | "error";
  source: string;
  message: string;
  [field: string]: unknown;
}

export function jsonLogLine({ time, level, source, ...fields }: LogEntry): string {
  return JSON.stringify({ time: time.toISOString(), level, source, ...fields });
}
