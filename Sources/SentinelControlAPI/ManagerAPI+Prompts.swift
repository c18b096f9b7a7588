extension ManagerAPI {
    /// Whether one upstream prompt is exposed on an endpoint, and under which name (the prompts' `ToolSelection`).
    public struct PromptSelection: Codable, Sendable, Equatable {
        public var server: String
        public var prompt: String
        /// The name clients ask `prompts/get` for: `server__prompt`, unique among the endpoint's prompts.
        public var exposedName: String
        public var enabled: Bool

        public init(server: String, prompt: String, exposedName: String, enabled: Bool) {
            self.server = server
            self.prompt = prompt
            self.exposedName = exposedName
            self.enabled = enabled
        }

        enum CodingKeys: String, CodingKey {
            case server, prompt, enabled
            case exposedName = "exposed_name"
        }
    }

    /// The parameters of `EnablePrompts` and `DisablePrompts`.
    public struct PromptChange: Codable, Sendable, Equatable {
        public var endpoint: String
        /// `SERVER/PROMPT` or exposed names.
        public var prompts: [String]?
        /// Servers whose every prompt is meant.
        public var allOf: [String]?

        public init(endpoint: String, prompts: [String]? = nil, allOf: [String]? = nil) {
            self.endpoint = endpoint
            self.prompts = prompts
            self.allOf = allOf
        }

        enum CodingKeys: String, CodingKey {
            case endpoint, prompts
            case allOf = "all_of"
        }
    }

    /// The reply of `EnablePrompts` and `DisablePrompts`: the selections that changed.
    public struct PromptChangeReply: Codable, Sendable, Equatable {
        public var changed: [PromptSelection]
        public init(changed: [PromptSelection]) { self.changed = changed }
    }

    public enum ListPromptSelections: ManagerMethod {
        public static let name = "ListPromptSelections"

        public struct Parameters: Codable, Sendable, Equatable {
            public var endpoint: String
            public init(endpoint: String) { self.endpoint = endpoint }
        }

        public struct Reply: Codable, Sendable, Equatable {
            public var prompts: [PromptSelection]
            public init(prompts: [PromptSelection]) { self.prompts = prompts }
        }
    }

    public enum EnablePrompts: ManagerMethod {
        public static let name = "EnablePrompts"
        public typealias Parameters = PromptChange
        public typealias Reply = PromptChangeReply
    }

    public enum DisablePrompts: ManagerMethod {
        public static let name = "DisablePrompts"
        public typealias Parameters = PromptChange
        public typealias Reply = PromptChangeReply
    }
}
