// Table primitives: a bordered data table with a caption for assistive technology that, on a narrow screen, becomes
// stacked rows — each cell labelled with its column (data-label, shown by the .stacked-table rule in globals.css);
// a cell marked data-inline shares a line with its neighbours there, one marked data-full spans the row unlabelled;
// a compact table flows every row's cells side by side.
import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";

type CellProps = { children?: ReactNode; "data-label"?: string };

/**
 * Gives every <td> of every <tr> its column's title as data-label, so pages need not repeat the column names. A row
 * header (<th scope="row">) takes its column too but stays unlabelled: on a narrow screen it is the row's title.
 */
function labelCells(rows: ReactNode, columns: string[]): ReactNode {
  return Children.map(rows, (row) => {
    if (!isValidElement<{ children?: ReactNode }>(row) || row.type !== "tr") return row;
    let index = 0;
    const cells = Children.map(row.props.children, (cell) => {
      if (!isValidElement<CellProps>(cell) || (cell.type !== "td" && cell.type !== "th")) return cell;
      const label = columns[index++];
      if (cell.type === "th") return cell;
      return cell.props["data-label"] !== undefined || label === undefined
        ? cell
        : cloneElement(cell as ReactElement<CellProps>, { "data-label": label });
    });
    return cloneElement(row, {}, cells);
  });
}

/** `compact`: on a narrow screen each row's cells flow side by side (globals.css), for long logs. */
export function DataTable({
  caption,
  columns,
  compact = false,
  children,
}: {
  caption: string;
  columns: string[];
  compact?: boolean;
  children: ReactNode;
}) {
  return (
    <table className="stacked-table w-full text-left text-sm" data-compact={compact ? "" : undefined}>
      <caption className="sr-only">{caption}</caption>
      <thead className="bg-slate-100 text-xs uppercase tracking-wide text-slate-600">
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col" className="px-4 py-3">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-200">{labelCells(children, columns)}</tbody>
    </table>
  );
}

export function TablePanel({ children }: { children: ReactNode }) {
  return <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">{children}</div>;
}
