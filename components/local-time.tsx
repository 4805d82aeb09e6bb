// A date in the chosen language, with the ISO value machine-readable in <time datetime>.
import { useLocale } from "next-intl";
import { formatDate, formatDateTime } from "@/lib/platform/i18n/format";

export function LocalTime({ date, withTime = true }: { date: Date; withTime?: boolean }) {
  const locale = useLocale();
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {withTime ? formatDateTime(locale, date) : formatDate(locale, date)}
    </time>
  );
}
