import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable } from "./table";

describe("DataTable", () => {
  it("labels each cell with its own column, a row header taking the first column unlabelled", () => {
    const html = renderToStaticMarkup(
      <DataTable caption="Sites" columns={["Web site", "State", "Cluster URL"]}>
        <tr>
          <th scope="row">Default Web Site</th>
          <td>Started</td>
          <td>https://rms.contoso.example/_wmcs</td>
        </tr>
      </DataTable>,
    );
    expect(html).toContain('<th scope="row">Default Web Site</th>');
    expect(html).toContain('<td data-label="State">Started</td>');
    expect(html).toContain('<td data-label="Cluster URL">https://rms.contoso.example/_wmcs</td>');
  });

  it("labels rows of data cells from the first column and keeps a label a page set itself", () => {
    const html = renderToStaticMarkup(
      <DataTable caption="History" columns={["Serial", "Installed"]}>
        <tr>
          <td>01AB</td>
          <td data-label="Installed on">3 December 2026</td>
        </tr>
      </DataTable>,
    );
    expect(html).toContain('<td data-label="Serial">01AB</td>');
    expect(html).toContain('<td data-label="Installed on">3 December 2026</td>');
  });
});
