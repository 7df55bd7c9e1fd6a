package dev.tokenrefresher.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Rows of JSON objects printed as an aligned text table; missing and null values print as {@code -}. */
final class Table {

    private record Column(String title, String field) {
    }

    private final List<Column> columns = new ArrayList<>();

    Table column(String title, String field) {
        columns.add(new Column(title, field));
        return this;
    }

    void print(PrintWriter out, Iterable<JsonNode> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::title).toArray(String[]::new));
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(column -> text(row.at(column.field()))).toArray(String[]::new));
        }
        int[] widths = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }

    /** A field as one cell or line: "-" when absent or null, a scalar as its text, anything else as JSON. */
    static String text(JsonNode value) {
        return value.isMissingNode() || value.isNull()
                ? "-"
                : value.isValueNode() ? value.asString() : value.toString();
    }
}
