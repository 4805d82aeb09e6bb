"use client";
// While a request is pending, the idle timeout can end the session before the administrator is back from the signing
// station. The pending card says when it ends (server-rendered, so also without JavaScript); with JavaScript this warns
// a few minutes before, in time to stay signed in: any page request renews the session, so "Stay signed in" refreshes
// the page's data and the server answers with the new end.
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";

export interface SessionWarningLabels {
  warning: string;
  ended: string;
  extend: string;
  extending: string;
}

export function SessionWarning({
  remainingMs,
  warnBeforeMs,
  labels,
}: {
  /** How long the session has left, as the server saw it when it rendered the page. */
  remainingMs: number;
  warnBeforeMs: number;
  labels: SessionWarningLabels;
}) {
  const router = useRouter();
  const [phase, setPhase] = useState<"quiet" | "warning" | "ended">("quiet");
  const [extending, startExtending] = useTransition();

  // Timers from this browser's clock: every new render from the server (a refresh, an action) restarts them.
  useEffect(() => {
    setPhase("quiet");
    const warn = setTimeout(() => setPhase("warning"), Math.max(0, remainingMs - warnBeforeMs));
    const end = setTimeout(() => setPhase("ended"), Math.max(0, remainingMs));
    return () => {
      clearTimeout(warn);
      clearTimeout(end);
    };
  }, [remainingMs, warnBeforeMs]);

  if (phase === "quiet") return null;
  return (
    <div role="alert" className="mb-3 rounded-md border border-amber-400 bg-white px-4 py-3 text-sm text-amber-950">
      <p>{phase === "warning" ? labels.warning : labels.ended}</p>
      {phase === "warning" && (
        <Button type="button" className="mt-2" disabled={extending} onClick={() => startExtending(() => router.refresh())}>
          {extending ? labels.extending : labels.extend}
        </Button>
      )}
    </div>
  );
}
