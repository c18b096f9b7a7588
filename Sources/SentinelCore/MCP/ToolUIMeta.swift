/// What a tool's `_meta` says about its MCP Apps UI: the resources it renders with, and who may call it.
///
/// MCP Apps (ext-apps 2026-01-26): `_meta.ui = {resourceUri?, visibility?: ("model"|"app")[]}`, with the
/// deprecated flat `_meta["ui/resourceUri"]` still read by hosts; OpenAI Apps name their page in
/// `_meta["openai/outputTemplate"]`. Enabling such a tool makes its UI resources readable on the endpoint.
/// A tool without `visibility` is visible to both the model and the app.
public struct ToolUIMeta: Sendable, Equatable {
    /// Who may see and call a tool.
    public enum Audience: String, Sendable, Hashable, CaseIterable {
        case model, app
    }

    /// The upstream URIs of the tool's UI resources, in the order `_meta.ui.resourceUri`,
    /// `_meta["ui/resourceUri"]`, `_meta["openai/outputTemplate"]`, without repeats.
    public var resourceURIs: [String]
    /// The tool's declared visibility; nil when it declares none (both).
    public var visibility: Set<Audience>?

    public init(resourceURIs: [String] = [], visibility: Set<Audience>? = nil) {
        self.resourceURIs = resourceURIs
        self.visibility = visibility
    }

    /// Reads the `_meta` of the tool object `definition`; a tool without (readable) `_meta` has no UI.
    /// Unknown visibility strings are ignored; a `visibility` that is not an array of strings is none.
    public init(definition: String) {
        self.init()
        let bytes = Array(definition.utf8)
        guard let members = try? JSONScanner.members(of: bytes), let metaRange = members["_meta"],
            bytes[metaRange.lowerBound] == UInt8(ascii: "{"), let meta = try? JSONScanner.members(of: bytes, in: metaRange)
        else { return }
        var ui: [String: Range<Int>] = [:]
        if let range = meta[ContentURIRewriter.uiKey], bytes[range.lowerBound] == UInt8(ascii: "{") {
            ui = (try? JSONScanner.members(of: bytes, in: range)) ?? [:]
        }
        let candidates = [
            ui[ContentURIRewriter.uiResourceURIKey], meta[ContentURIRewriter.flatUIResourceURIKey],
            meta[ContentURIRewriter.openAIOutputTemplateKey],
        ]
        for range in candidates.compactMap({ $0 }) {
            if let uri = RawJSON.string(from: bytes[range]), !uri.isEmpty, !resourceURIs.contains(uri) { resourceURIs.append(uri) }
        }
        if let range = ui["visibility"], let elements = try? JSONScanner.elements(of: bytes, in: range) {
            let strings = elements.map { RawJSON.string(from: bytes[$0]) }
            if !strings.contains(nil) {
                visibility = Set(strings.compactMap { $0.flatMap(Audience.init(rawValue:)) })
            }
        }
    }

    /// Whether the model may see and call the tool (it is not app-only).
    public var isVisibleToModel: Bool { visibility?.contains(.model) ?? true }

    /// Whether an app may call the tool.
    public var isCallableByApp: Bool { visibility?.contains(.app) ?? true }
}
