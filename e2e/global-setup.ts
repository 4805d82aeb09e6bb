// Starts the enrollment service and the console (production build) once for all walkthroughs.
import { startStack } from "./support/stack";

export default async function globalSetup(): Promise<void> {
  await startStack();
}
