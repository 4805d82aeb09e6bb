// Labelled text input for forms; a hint and a validation error are shown under the input and tied to it for assistive technology.
import type { InputHTMLAttributes } from "react";
import { cn } from "./cn";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  id: string;
  error?: string | undefined;
  hint?: string | undefined;
};

export function Field({ label, id, error, hint, className, ...props }: FieldProps) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        className={cn(
          "rounded-md border bg-white px-3 py-2 text-sm shadow-sm",
          error ? "border-red-700" : "border-slate-300",
          "focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-100",
          className,
        )}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...props}
      />
      {error && (
        <p id={errorId} className="text-sm text-red-800">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}
