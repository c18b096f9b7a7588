/// Resource and template objects from an upstream's lists, as an endpoint lists them: the upstream's
/// object whole, with `uri` (or `uriTemplate`) mapped by `ResourceURIMap`. Nothing else changes: names,
/// `mimeType`, `size`, `annotations`, `icons` and `_meta` pass byte for byte.
public enum ResourceDefinition {
    /// The object clients see in `resources/list`; nil when the URI cannot be mapped (never cataloged).
    public static func exposed(_ resource: Resource) -> RawJSON? {
        exposed(resource.definition, key: "uri", server: resource.server, template: false)
    }

    /// The object clients see in `resources/templates/list`; nil when the template cannot be mapped.
    public static func exposed(_ template: ResourceTemplate) -> RawJSON? {
        exposed(template.definition, key: "uriTemplate", server: template.server, template: true)
    }

    private static func exposed(_ definition: String, key: String, server: String, template: Bool) -> RawJSON? {
        let bytes = Array(definition.utf8)
        guard let members = try? JSONScanner.members(of: bytes), let range = members[key],
            let edit = ContentURIRewriter.mappedString(bytes, range, server: server, template: template)
        else { return nil }
        return ContentURIRewriter.applying([edit], to: RawJSON(bytes))
    }
}
