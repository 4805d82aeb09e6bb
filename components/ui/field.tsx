// Labelled text input for forms.
import type { InputHTMLAttributes } from "react";
import { cn } from "./cn";

export function Field({ label, id, className, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; id: string }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        className={cn(
          "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm",
          "focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-100",
          className,
        )}
        {...props}
      />
    </div>
  );
}
