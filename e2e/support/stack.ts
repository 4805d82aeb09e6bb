// The stack Playwright's webServer started (tests/support/e2e-stack.ts), and stopping/starting its enrollment
// service for the walkthrough where it is down.
import { readE2eState, writeE2eState } from "../../tests/support/e2e-state";
import { startEnrollment as startEnrollmentProcess, terminateGroup, waitForHttpGone } from "../../tests/support/processes";

export { readE2eState as readState } from "../../tests/support/e2e-state";

export async function stopEnrollment(): Promise<void> {
  const state = readE2eState();
  terminateGroup(state.enrollmentPid);
  await waitForHttpGone(`${state.enrollmentUrl}/healthz`, 10_000);
}

export async function startEnrollment(): Promise<void> {
  const state = readE2eState();
  const port = Number(new URL(state.enrollmentUrl).port);
  // Not swept when this worker exits: the e2e stack stops it with the rest.
  const started = await startEnrollmentProcess({ dataDir: state.dataDir, port, sweep: false });
  writeE2eState({ ...state, enrollmentPid: started.pid });
}
