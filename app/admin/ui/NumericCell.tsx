// A right-aligned, tabular-figure table cell: the admin's tables line numbers up this way.
import { IndexTable, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export function NumericCell({ children }: { children: ReactNode }) {
  return (
    <IndexTable.Cell>
      <Text as="span" alignment="end" numeric>
        {children}
      </Text>
    </IndexTable.Cell>
  );
}
