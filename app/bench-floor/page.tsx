// The framework floor of `npm run bench` (bench/console.ts): a dynamic page of this very server that reads the session
// cookie and touches no database. It exists only for the benchmark: anywhere RMS_BENCH is not "1" it is a plain 404.
import { cookies } from "next/headers";
import { notFound } from "next/navigation";

export default async function BenchFloorPage() {
  if (process.env.RMS_BENCH !== "1") notFound();
  const signedIn = (await cookies()).has("rms_session");
  return <main id="main" data-session={signedIn ? "present" : "absent"} />;
}
