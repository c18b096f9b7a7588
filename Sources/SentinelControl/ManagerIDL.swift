/// The IDL of `io.sentinel.Manager`, served by `GetInterfaceDescription` and
/// checked against every call. Field names are snake_case, as in systemd's interfaces.
enum ManagerIDL {
    static let text = """
        # Manage Sentinel, the MCP gateway: upstream servers, endpoints and the tools,
        # prompts and resources they expose, users, and authorized sessions. Callers must be root, the
        # daemon's own user, or in the control group (default "sentinel"); every
        # change is written to the journal with the caller's uid and pid.
        interface io.sentinel.Manager

        # How Sentinel reaches an upstream server.
        type Transport (stdio, http)

        # Whose credentials an upstream server is called with.
        type CredentialMode (none, shared, personal)

        # How a shared or personal server's credential is obtained: a pasted bearer
        # token, or OAuth at the upstream (Sentinel is the OAuth client).
        type CredentialKind (bearer, oauth)

        # Where a server's cached catalog stands: listed by the last refresh, not
        # refreshed yet, waiting for a credential nobody has connected yet (a state,
        # not a fault), or failed (last_error says why; the old catalog stays).
        type CatalogState (listed, not_refreshed, waiting_for_credential, failed)

        # How an endpoint admits clients: OAuth grants, or nobody checked (loopback only).
        type EndpointAuth (oauth, none)

        # An upstream MCP server.
        type Server (
          name: string,
          transport: Transport,
          description: string,
          # Program and arguments (stdio servers).
          command: []string,
          # Extra environment for the child process (stdio servers).
          environment: [string]string,
          working_directory: ?string,
          # Streamable HTTP URL (http servers).
          url: ?string,
          # Names of the static headers sent to an http server (values are secret, never shown).
          header_names: []string,
          credential_mode: CredentialMode,
          credential_kind: CredentialKind,
          # stdio: the environment variable the credential is passed in.
          credential_env: ?string,
          # Shown to users where they connect their credential: where to get a token.
          credential_hint: ?string,
          # OAuth client id configured for the upstream (else registered dynamically).
          oauth_client_id: ?string,
          # Shared mode: connected, expired or missing.
          shared_credential: ?string,
          # Personal mode: users with a connected credential, and with an expired one.
          connected_users: int,
          expired_users: int,
          # Personal mode: the catalog-only credential the admin connected (LoginServer):
          # connected, expired or missing. It lists the tools, never serves a user's call.
          catalog_credential: ?string,
          catalog_state: CatalogState,
          # Seconds allowed to connect and initialize.
          connect_timeout: int,
          # Seconds allowed for one tool call.
          call_timeout: int,
          # Tools in the cached catalog.
          tool_count: int,
          # Endpoints this server is attached to.
          endpoints: []string,
          # Times are RFC 3339, UTC.
          created: string,
          updated: string,
          # Last catalog refresh, successful or not.
          refreshed: ?string,
          # Why the last refresh failed; null after a success.
          last_error: ?string,
          # Messages from the server that had to be dropped since the daemon started
          # (output that is not JSON-RPC or not UTF-8, errors without an id that no
          # single request could take); each is also logged with the reason.
          protocol_faults: int
        )

        # A new server. Unset fields take their defaults.
        type ServerSpec (
          name: string,
          transport: Transport,
          description: ?string,
          command: ?[]string,
          environment: ?[string]string,
          working_directory: ?string,
          url: ?string,
          # Static headers for an http server, e.g. Authorization; stored encrypted.
          headers: ?[string]string,
          credential_mode: ?CredentialMode,
          credential_kind: ?CredentialKind,
          credential_env: ?string,
          # One line, at most 500 characters, shown where users connect.
          credential_hint: ?string,
          oauth_client_id: ?string,
          # Stored encrypted; never shown again.
          oauth_client_secret: ?string,
          # Shared bearer token (shared mode); stored encrypted.
          token: ?string,
          connect_timeout: ?int,
          call_timeout: ?int
        )

        # Changes to a server; unset fields keep their value, an empty
        # working_directory clears it.
        type ServerChanges (
          description: ?string,
          command: ?[]string,
          environment: ?[string]string,
          working_directory: ?string,
          url: ?string,
          # Replaces every static header; {} removes them.
          headers: ?[string]string,
          # Leaving shared mode discards the shared credential; leaving personal
          # mode discards every user's.
          credential_mode: ?CredentialMode,
          credential_kind: ?CredentialKind,
          # An empty string clears it.
          credential_env: ?string,
          # An empty string clears it.
          credential_hint: ?string,
          # An empty string clears the client (and its secret).
          oauth_client_id: ?string,
          oauth_client_secret: ?string,
          # Replaces the shared bearer token.
          token: ?string,
          connect_timeout: ?int,
          call_timeout: ?int
        )

        # A tool in a server's cached catalog. Schemas are the upstream's JSON text.
        type Tool (
          server: string,
          name: string,
          title: ?string,
          description: ?string,
          input_schema: string,
          output_schema: ?string,
          annotations: ?string,
          discovered: string
        )

        # A named gateway URL federating tools from its servers.
        type Endpoint (
          name: string,
          description: string,
          auth: EndpointAuth,
          # Whether tool arguments and results are copied into the audit log.
          capture_payloads: bool,
          servers: []string,
          # The URL clients connect to.
          url: string,
          # Who may authorize clients on this endpoint (auth oauth); empty lists admit nobody.
          allowed_users: []string,
          allowed_groups: []string,
          enabled_tools: int,
          available_tools: int,
          # Tools enabled by name that their server does not list yet (or any more).
          awaiting_tools: int,
          enabled_prompts: int,
          available_prompts: int,
          # Resource rules (ListResourceRules shows them).
          resource_rules: int,
          created: string,
          updated: string
        )

        # Changes to an endpoint; unset fields keep their value.
        type EndpointChanges (
          description: ?string,
          auth: ?EndpointAuth,
          capture_payloads: ?bool
        )

        # One catalog tool on one endpoint.
        type ToolSelection (
          server: string,
          tool: string,
          # The name clients see: server__tool, unique on the endpoint.
          exposed_name: string,
          enabled: bool,
          # Whether the server's catalog lists it; an enabled tool it does not list
          # (enabled ahead of the catalog, or gone from it) is exposed once it does.
          listed: bool
        )

        # One catalog prompt on one endpoint.
        type PromptSelection (
          server: string,
          prompt: string,
          # The name clients ask prompts/get for: server__prompt, unique among the
          # endpoint's prompts (tools have a namespace of their own).
          exposed_name: string,
          enabled: bool
        )

        # A rule that opens a server's resources on an endpoint: every upstream URI
        # that starts with prefix ("" is every resource and template of the server).
        type ResourceRule (
          server: string,
          # As the server spells its URIs.
          prefix: string,
          # As clients see URIs: server+prefix (sdk+file:///docs/), or ui://server+…
          # for ui:// prefixes.
          mapped_prefix: string
        )

        # Names a rule: server with an optional upstream prefix, or mapped (a mapped
        # prefix as ListResourceRules shows it) alone.
        type ResourceRuleSpec (
          server: ?string,
          prefix: ?string,
          mapped: ?string
        )

        # Whether a catalog entry is one resource or a URI template (RFC 6570).
        type ResourceKind (resource, template)

        # What lets clients read a resource: a rule, being the UI page of an enabled
        # tool of its server (MCP Apps), or nothing.
        type ResourceState (rule, tool, off)

        # One cataloged resource or template of an endpoint's servers.
        type ResourceSelection (
          # The URI (or URI template) clients see.
          uri: string,
          # As the server spells it.
          upstream_uri: string,
          server: string,
          kind: ResourceKind,
          name: ?string,
          mime_type: ?string,
          state: ResourceState,
          # State rule: the mapped prefix of the rule that opens it.
          rule: ?string,
          # State tool: the upstream name of the enabled tool whose page it is.
          tool: ?string
        )

        # A person who may sign in and authorize AI clients.
        type User (
          name: string,
          display_name: string,
          has_password: bool,
          # Sentinel groups, for endpoint access lists.
          groups: []string,
          active_sessions: int,
          created: string,
          updated: string
        )

        # An authorized session (grant): a user let a client use an endpoint.
        type Session (
          id: string,
          user: string,
          client_id: string,
          client_name: string,
          endpoint: string,
          created: string,
          expires: string,
          last_used: ?string,
          last_address: ?string,
          revoked: ?string,
          # Granted OAuth scopes, space-separated.
          scope: string
        )

        # The daemon's state.
        type Status (
          version: string,
          pid: int,
          started: string,
          uptime_seconds: int,
          public_url: string,
          # Where HTTP is served: an address, or "socket-activated".
          http_listen: string,
          control_socket: string,
          state_directory: string,
          database: string,
          schema_migrations: []string,
          servers: int,
          endpoints: int,
          users: int,
          active_sessions: int,
          open_connections: int,
          # Where log messages go: journal or stderr.
          log_target: string,
          # Where audit events go (what sentinelctl logs reads): journal, or stderr when no journal was
          # reachable at start.
          audit_target: string
        )

        # One change made through this interface.
        type Change (
          time: string,
          # What was done, e.g. server-add, endpoint-enable-tools, session-revoke.
          action: string,
          # server, endpoint, user or session.
          object: string,
          name: string,
          uid: int,
          pid: int
        )

        # Daemon version, uptime, listeners and object counts.
        method GetStatus() -> (status: Status)

        # Adds an upstream server.
        method AddServer(server: ServerSpec) -> (server: Server)

        method ListServers() -> (servers: []Server)

        method GetServer(name: string) -> (server: Server)

        method UpdateServer(name: string, changes: ServerChanges) -> (server: Server)

        # Removes a server and its catalog. Fails with ServerInUse while endpoints
        # use it, unless force is true (it is then detached from them).
        method RemoveServer(name: string, force: ?bool) -> (detached_from: []string)

        # Connects the server's own credential: a shared server's, or the catalog-only
        # credential of a personal server (it lists the tools before any user connects
        # and never serves a user's call). With token (bearer servers), it is stored
        # encrypted and the catalog fetched at once: the reply carries the server.
        # Without (OAuth servers), the upstream sign-in starts: open the returned URL
        # in a browser; the credential is stored, and the catalog fetched, when it completes.
        method LoginServer(name: string, token: ?string) -> (url: ?string, server: ?Server)

        # Re-encrypts every stored secret with a new key, in one transaction. Not
        # possible while the key comes from the systemd credential sentinel.key.
        method RotateSecretKey() -> (reencrypted: int)

        # The server's cached tool catalog.
        method ListServerTools(name: string) -> (tools: []Tool)

        # Connects to the server now and replaces its cached catalog; a failure is
        # recorded in the server's last_error (the old catalog stays).
        method RefreshServer(name: string) -> (server: Server)

        # Creates an endpoint. No tool is enabled until EnableTools.
        method CreateEndpoint(
          name: string,
          description: ?string,
          servers: ?[]string,
          auth: ?EndpointAuth,
          capture_payloads: ?bool
        ) -> (endpoint: Endpoint)

        method ListEndpoints() -> (endpoints: []Endpoint)

        method GetEndpoint(name: string) -> (endpoint: Endpoint)

        method UpdateEndpoint(name: string, changes: EndpointChanges) -> (endpoint: Endpoint)

        # Puts users and groups on the endpoint's access list: they may authorize
        # clients on it. A named user must exist; a group need not have members yet.
        method AllowAccess(endpoint: string, users: ?[]string, groups: ?[]string) -> (endpoint: Endpoint)

        # Takes users and groups off the access list and revokes the sessions of
        # users it no longer admits.
        method DenyAccess(endpoint: string, users: ?[]string, groups: ?[]string) -> (endpoint: Endpoint, revoked: []Session)

        # Deletes an endpoint with its tool selections and sessions.
        method DeleteEndpoint(name: string) -> ()

        method AttachServer(endpoint: string, server: string) -> (endpoint: Endpoint)

        # Detaches a server; its tools on this endpoint are disabled.
        method DetachServer(endpoint: string, server: string) -> (endpoint: Endpoint)

        # Every catalog tool of the endpoint's servers, with its state, then the tools
        # enabled by name that their server does not list (listed false).
        method ListToolSelections(endpoint: string) -> (tools: []ToolSelection)

        # Enables tools named SERVER/TOOL (or by exposed name), and every tool of
        # the servers in all_of. A tool of an attached server whose catalog is still
        # empty (e.g. waiting for a credential) is enabled ahead of the catalog when
        # named SERVER/TOOL or SERVER__TOOL: listed false, exposed once the server
        # lists it. Other unknown names fail before anything changes.
        method EnableTools(endpoint: string, tools: ?[]string, all_of: ?[]string) -> (changed: []ToolSelection)

        method DisableTools(endpoint: string, tools: ?[]string, all_of: ?[]string) -> (changed: []ToolSelection)

        # Every catalog prompt of the endpoint's servers, with its state.
        method ListPromptSelections(endpoint: string) -> (prompts: []PromptSelection)

        # Enables prompts named SERVER/PROMPT (or by exposed name), and every prompt
        # of the servers in all_of. Unknown names fail before anything changes.
        method EnablePrompts(endpoint: string, prompts: ?[]string, all_of: ?[]string) -> (changed: []PromptSelection)

        method DisablePrompts(endpoint: string, prompts: ?[]string, all_of: ?[]string) -> (changed: []PromptSelection)

        # The endpoint's resource rules, then every cataloged resource and template
        # of its servers with the URI clients see and what opens it.
        method ListResourceRules(endpoint: string) -> (rules: []ResourceRule, resources: []ResourceSelection)

        # Adds resource rules: clients may list and read the server's resources and
        # templates whose upstream URI starts with the prefix. The UI page of an
        # enabled tool needs no rule. Rules of servers not attached fail before
        # anything changes; rules already there are not changed again.
        method EnableResources(endpoint: string, rules: []ResourceRuleSpec) -> (changed: []ResourceRule)

        # Removes exactly the rules named (a shorter or longer prefix is another rule).
        method DisableResources(endpoint: string, rules: []ResourceRuleSpec) -> (changed: []ResourceRule)

        # Adds a user; without a password the user cannot sign in yet.
        method AddUser(name: string, display_name: ?string, password: ?string, groups: ?[]string) -> (user: User)

        # Changes a user's display name and group memberships. Leaving a group
        # revokes sessions on endpoints the user may no longer use.
        method UpdateUser(name: string, display_name: ?string, add_groups: ?[]string, remove_groups: ?[]string) -> (user: User)

        method ListUsers() -> (users: []User)

        # Removes a user and revokes their sessions.
        method RemoveUser(name: string) -> ()

        method SetPassword(name: string, password: string) -> ()

        # Authorized sessions, newest first; only active ones unless include_inactive.
        method ListSessions(endpoint: ?string, user: ?string, include_inactive: ?bool) -> (sessions: []Session)

        # Revokes one session by id, or all of a user's or an endpoint's. Revoked
        # clients are refused at once.
        method RevokeSession(id: ?string, user: ?string, endpoint: ?string) -> (revoked: []Session)

        # Streams every change made through this interface as it happens (needs more),
        # and the daemon's own (catalog refreshes: action server-catalog-refreshed, uid and pid 0).
        method WatchChanges() -> (change: Change)

        error NoSuchServer (name: string)
        error NoSuchEndpoint (name: string)
        error NoSuchUser (name: string)
        error NoSuchSession (id: string)
        # reason says why, in words (e.g. the server's catalog does not list it).
        error NoSuchTool (endpoint: string, tool: string, reason: string)
        # reason says why, in words, as for NoSuchTool.
        error NoSuchPrompt (endpoint: string, prompt: string, reason: string)
        error ServerExists (name: string)
        error EndpointExists (name: string)
        error UserExists (name: string)
        # The server is attached to these endpoints.
        error ServerInUse (name: string, endpoints: []string)
        error ServerNotAttached (endpoint: string, server: string)
        # The secret key cannot be rotated here (it comes from the systemd credential
        # sentinel.key, or this daemon keeps no secrets).
        error SecretKeyNotRotatable (reason: string)
        # A parameter has a value that is not acceptable.
        error InvalidValue (field: string, reason: string)
        # The store could not complete the change; nothing was changed.
        error InternalError (message: string)
        """
}
