// notFound() on a console page (an unknown cluster): rendered inside the console layout, which has the header.
import { NotFoundNotice } from "@/components/not-found-notice";

export default function NotFound() {
  return <NotFoundNotice />;
}
