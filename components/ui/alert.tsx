// Inline message; errors are announced to assistive technology.
import type { ReactNode } from "react";
import { cn } from "./cn";

const tones = {
  error: "border-red-300 bg-red-50 text-red-900",
  success: "border-emerald-300 bg-emerald-50 text-emerald-900",
  info: "border-brand-100 bg-brand-50 text-brand-800",
} as const;

export function Alert({
  tone,
  children,
  className,
  id,
}: {
  tone: keyof typeof tones;
  children: ReactNode;
  className?: string;
  id?: string;
}) {
  return (
    <div id={id} role={tone === "error" ? "alert" : "status"} className={cn("rounded-md border px-4 py-3 text-sm", tones[tone], className)}>
      {children}
    </div>
  );
}
