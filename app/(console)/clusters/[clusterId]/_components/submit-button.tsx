"use client";
// A form's submit button that shows its own progress (useFormStatus), so each small form reports its own work.
import type { ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { Button, type ButtonVariant } from "@/components/ui/button";

function Spinner() {
  return <span aria-hidden="true" className="h-4 w-4 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}

export function SubmitButton({
  children,
  busyText,
  variant = "primary",
  disabled,
  name,
  value,
}: {
  children: ReactNode;
  busyText: string;
  variant?: ButtonVariant;
  disabled?: boolean;
  name?: string;
  value?: string;
}) {
  const { pending, data } = useFormStatus();
  // With several submit buttons in one form, only the one pressed shows progress.
  const mine = pending && (name === undefined || data?.get(name) === value);
  return (
    <Button type="submit" variant={variant} name={name} value={value} disabled={disabled || pending} aria-disabled={disabled || pending}>
      {mine ? (
        <>
          <Spinner />
          {busyText}
        </>
      ) : (
        children
      )}
    </Button>
  );
}
