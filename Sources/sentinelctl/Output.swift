import Foundation
import SentinelCore

/// Printing helpers shared by every command.
enum Output {
    /// Prints `value` as pretty, key-sorted JSON.
    static func json(_ value: JSONValue) {
        print(value.text(pretty: true))
    }

    /// Prints rows as aligned columns under upper-case headers.
    static func table(_ headers: [String], _ rows: [[String]]) {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                text += isLast ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }
            return text
        }
        print(line(headers.map { $0.uppercased() }))
        for row in rows { print(line(row)) }
    }

    /// Prints `key: value` lines, keys aligned.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs {
            print((key + ":").padding(toLength: width + 2, withPad: " ", startingAt: 0) + value)
        }
    }

    /// A typed field as `text(_: JSONValue?)` shows it: "-" for none or empty.
    static func text(_ value: String?) -> String {
        text(value.map(JSONValue.string))
    }

    static func text(_ value: Int) -> String {
        String(value)
    }

    static func text(_ value: [String]) -> String {
        text(JSONValue(value))
    }

    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "-"
        case .string(let text)?: return text.isEmpty ? "-" : text
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(number)
        case .bool(let flag)?: return flag ? "yes" : "no"
        case .array(let items)?: return items.isEmpty ? "-" : items.map { text($0) }.joined(separator: ",")
        case .object(let object)?:
            return object.isEmpty ? "-" : object.keys.sorted().map { "\($0)=\(text(object[$0]))" }.joined(separator: " ")
        }
    }
}
