"use client";
// The pending card's two client parts (the session warning, Cancel request's form state), loaded only when a request is
// pending: a page without one does not ship them. No Suspense boundary, as for the Renew dialog's contents: the server's
// HTML waits for them (Cancel request is a plain form that must work without JavaScript), and hydration waits for them.
// Components, not the lazy objects themselves: a client reference resolving to a lazy is not a valid element type.
import { type ComponentProps, lazy } from "react";

const LazySessionWarning = lazy(() => import("./session-warning").then((module) => ({ default: module.SessionWarning })));
const LazyCancelRequestForm = lazy(() => import("./cancel-request-form").then((module) => ({ default: module.CancelRequestForm })));

export function SessionWarning(props: ComponentProps<typeof LazySessionWarning>) {
  return <LazySessionWarning {...props} />;
}

export function CancelRequestForm(props: ComponentProps<typeof LazyCancelRequestForm>) {
  return <LazyCancelRequestForm {...props} />;
}
