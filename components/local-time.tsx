// A date in the chosen language, with the ISO value machine-readable in <time datetime>.
import { formatDate, formatDateTime, type Locale } from "@/lib/i18n/messages";

export function LocalTime({ date, locale, withTime = true }: { date: Date; locale: Locale; withTime?: boolean }) {
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {withTime ? formatDateTime(locale, date) : formatDate(locale, date)}
    </time>
  );
}
