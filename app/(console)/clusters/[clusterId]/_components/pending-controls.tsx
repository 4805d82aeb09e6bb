"use client";
// The pending card's two client parts (the session warning, Cancel request's form state), loaded only when a request is
// pending: a page without one does not ship them. No Suspense boundary, as for the Renew dialog's contents: the server's
// HTML waits for them (Cancel request is a plain form that must work without JavaScript), and hydration waits for them.
import { lazy } from "react";

export const SessionWarning = lazy(() => import("./session-warning").then((module) => ({ default: module.SessionWarning })));

export const CancelRequestForm = lazy(() => import("./cancel-request-form").then((module) => ({ default: module.CancelRequestForm })));
