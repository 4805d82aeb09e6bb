// The Administration page's "Administration links" area: the cluster's history, its audit log, Security settings, RMS
// proxy settings, and Global Administration.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { linkClass } from "@/components/breadcrumbs";
import { Card } from "@/components/ui/card";

export async function AdministrationLinks({ clusterId }: { clusterId: string }) {
  const t = await getTranslations();
  return (
    <Card id="administration-links" title={t("admin.links")} className="self-start">
      <ul className="flex flex-col gap-2 text-sm">
        <li>
          <Link href={`/clusters/${clusterId}/history`} className={linkClass}>
            {t("admin.link.history")}
          </Link>
        </li>
        <li>
          <Link href={`/audit?cluster=${clusterId}`} className={linkClass}>
            {t("admin.link.audit")}
          </Link>
        </li>
        <li>
          <Link href={`/clusters/${clusterId}/security`} className={linkClass}>
            {t("admin.link.security")}
          </Link>
        </li>
        <li>
          <Link href="/settings/proxy" className={linkClass}>
            {t("admin.link.proxy")}
          </Link>
        </li>
        <li>
          <Link href="/" className={linkClass}>
            {t("admin.link.global")}
          </Link>
        </li>
      </ul>
    </Card>
  );
}
