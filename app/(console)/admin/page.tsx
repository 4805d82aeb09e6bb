// /admin, the address administrators of the original site know: Global Administration lives at /, so it goes there (308).
import { permanentRedirect } from "next/navigation";

export default async function AdminAlias({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, v);
  }
  const search = query.toString();
  permanentRedirect(search ? `/?${search}` : "/");
}
