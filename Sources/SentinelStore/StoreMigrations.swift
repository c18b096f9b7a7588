import GRDB
import SentinelCore

/// The schema, as an ordered list of migrations. Never edit a released migration: add one.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-servers-endpoints-users") { db in
            try db.execute(sql: """
                CREATE TABLE servers (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    transport TEXT NOT NULL CHECK (transport IN ('stdio', 'http')),
                    description TEXT NOT NULL DEFAULT '',
                    command TEXT NOT NULL DEFAULT '[]',
                    environment TEXT NOT NULL DEFAULT '{}',
                    working_directory TEXT,
                    url TEXT,
                    credential_mode TEXT NOT NULL DEFAULT 'none' CHECK (credential_mode IN ('none', 'shared', 'personal')),
                    connect_timeout INTEGER NOT NULL,
                    call_timeout INTEGER NOT NULL,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    refreshed_at DATETIME,
                    last_error TEXT
                );
                CREATE TABLE tools (
                    id INTEGER PRIMARY KEY,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    title TEXT,
                    description TEXT,
                    input_schema TEXT NOT NULL,
                    output_schema TEXT,
                    annotations TEXT,
                    position INTEGER NOT NULL DEFAULT 0,
                    discovered_at DATETIME NOT NULL,
                    UNIQUE (server_id, name)
                );
                CREATE TABLE endpoints (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    description TEXT NOT NULL DEFAULT '',
                    auth TEXT NOT NULL DEFAULT 'oauth' CHECK (auth IN ('oauth', 'none')),
                    capture_payloads BOOLEAN NOT NULL DEFAULT 0,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE TABLE endpoint_servers (
                    endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    PRIMARY KEY (endpoint_id, server_id)
                );
                -- A row means the tool is enabled; none are by default. Keyed by tool name
                -- so a tool that vanishes from a catalog and comes back keeps its state.
                CREATE TABLE endpoint_tools (
                    endpoint_id INTEGER NOT NULL,
                    server_id INTEGER NOT NULL,
                    tool_name TEXT NOT NULL,
                    enabled_at DATETIME NOT NULL,
                    PRIMARY KEY (endpoint_id, server_id, tool_name),
                    FOREIGN KEY (endpoint_id, server_id) REFERENCES endpoint_servers(endpoint_id, server_id) ON DELETE CASCADE
                );
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL DEFAULT '',
                    password_hash TEXT,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-clients-grants-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE oauth_clients (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('dynamic', 'metadata-document', 'preregistered')),
                    redirect_uris TEXT NOT NULL DEFAULT '[]',
                    metadata TEXT NOT NULL DEFAULT '{}',
                    secret_hash TEXT,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE grants (
                    id TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
                    endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL,
                    last_used_at DATETIME,
                    last_address TEXT,
                    revoked_at DATETIME
                );
                CREATE INDEX grants_by_user ON grants(user_id);
                CREATE INDEX grants_by_endpoint ON grants(endpoint_id);
                -- Only the SHA-256 of a token is stored.
                CREATE TABLE tokens (
                    hash TEXT PRIMARY KEY,
                    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh', 'code')),
                    expires_at DATETIME NOT NULL,
                    used_at DATETIME
                );
                CREATE INDEX tokens_by_grant ON tokens(grant_id);
                """)
        }
        migrator.registerMigration("v3-server-secret-headers") { db in
            // AES-256-GCM sealed JSON object of header names and values; associated data is the server name.
            try db.execute(sql: "ALTER TABLE servers ADD COLUMN sealed_headers BLOB")
        }
        migrator.registerMigration("v4-authorization") { db in
            try db.execute(sql: """
                -- Sentinel's own user groups, for endpoint access lists.
                CREATE TABLE user_groups (
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    PRIMARY KEY (user_id, name)
                );
                -- Who may authorize clients on an endpoint; no row admits nobody.
                CREATE TABLE endpoint_access (
                    endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('user', 'group')),
                    name TEXT NOT NULL,
                    PRIMARY KEY (endpoint_id, kind, name)
                );
                ALTER TABLE oauth_clients ADD COLUMN token_endpoint_auth_method TEXT NOT NULL DEFAULT 'none';
                -- SHA-256 of the RFC 7592 registration access token.
                ALTER TABLE oauth_clients ADD COLUMN registration_token_hash TEXT;
                ALTER TABLE oauth_clients ADD COLUMN updated_at DATETIME;
                ALTER TABLE grants ADD COLUMN scope TEXT NOT NULL DEFAULT 'mcp';
                ALTER TABLE tokens ADD COLUMN created_at DATETIME;
                -- Authorization codes only: the PKCE challenge and the redirect URI to check at redemption.
                ALTER TABLE tokens ADD COLUMN code_challenge TEXT;
                ALTER TABLE tokens ADD COLUMN redirect_uri TEXT;
                CREATE INDEX tokens_by_expiry ON tokens(expires_at);
                -- Browser sign-ins on the consent pages; only the SHA-256 of the cookie is stored.
                CREATE TABLE signins (
                    hash TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL,
                    address TEXT
                );
                """)
        }
        migrator.registerMigration("v5-upstream-credentials") { db in
            try db.execute(sql: """
                -- How users authenticate to a server in shared or personal mode: a pasted bearer token, or OAuth.
                ALTER TABLE servers ADD COLUMN credential_kind TEXT NOT NULL DEFAULT 'bearer'
                    CHECK (credential_kind IN ('bearer', 'oauth'));
                -- stdio: the environment variable that receives the credential.
                ALTER TABLE servers ADD COLUMN credential_env TEXT;
                -- OAuth client id the admin configured at the upstream, and its secret sealed
                -- (associated data "oauth-client:<server>").
                ALTER TABLE servers ADD COLUMN oauth_client_id TEXT;
                ALTER TABLE servers ADD COLUMN sealed_oauth_client_secret BLOB;
                -- What Sentinel discovered and registered (DCR) at the upstream, sealed as JSON
                -- (associated data "oauth-registration:<server>"); dropped when the URL changes.
                ALTER TABLE servers ADD COLUMN sealed_oauth_registration BLOB;
                -- One credential per server and owner (a user, or NULL for the shared one). `sealed` holds the
                -- tokens as JSON, AES-256-GCM sealed with associated data "credential:<server>:<owner>".
                CREATE TABLE credentials (
                    id INTEGER PRIMARY KEY,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('bearer', 'oauth')),
                    state TEXT NOT NULL CHECK (state IN ('connected', 'expired')),
                    sealed BLOB NOT NULL,
                    expires_at DATETIME,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE UNIQUE INDEX credentials_by_owner ON credentials(server_id, IFNULL(user_id, 0));
                -- Upstream OAuth flows in progress: the state's hash, the PKCE verifier sealed, where to return.
                CREATE TABLE upstream_authorizations (
                    state_hash TEXT PRIMARY KEY,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                    sealed_verifier BLOB NOT NULL,
                    return_to TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL
                );
                -- A known value sealed with the current key, so a key that cannot open it is noticed at start.
                CREATE TABLE secret_canary (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL);
                """)
        }
        migrator.registerMigration("v6-mcp-sessions") { db in
            try Store.migrateMCPSessions(db)
        }
        migrator.registerMigration("v6-pinned-exposed-names") { db in
            // The name an enabled tool was exposed under, kept while it stays enabled (NULL: not pinned).
            // Filled with the names computed today, so nothing a client already uses changes.
            try db.execute(sql: """
                ALTER TABLE endpoint_tools ADD COLUMN exposed_name TEXT;
                CREATE UNIQUE INDEX endpoint_tools_by_exposed_name ON endpoint_tools(endpoint_id, exposed_name);
                """)
            for endpointID in try Int64.fetchAll(db, sql: "SELECT id FROM endpoints") {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.id AS server_id, s.name AS server, t.name AS tool
                        FROM endpoint_servers es JOIN servers s ON s.id = es.server_id JOIN tools t ON t.server_id = s.id
                        WHERE es.endpoint_id = ?
                        """, arguments: [endpointID])
                let names = ExposedName.assign(rows.map { (server: $0["server"] as String, tool: $0["tool"] as String) })
                for row in rows {
                    let key = ExposedName.key(server: row["server"], tool: row["tool"])
                    try db.execute(
                        sql: "UPDATE endpoint_tools SET exposed_name = ? WHERE endpoint_id = ? AND server_id = ? AND tool_name = ?",
                        arguments: [names[key], endpointID, row["server_id"] as Int64, row["tool"] as String])
                }
            }
        }
        migrator.registerMigration("v6-whole-tool-definitions") { db in
            // The upstream's whole tool object as listed; tools cataloged before get one built from their columns.
            try db.execute(sql: "ALTER TABLE tools ADD COLUMN definition TEXT")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM tools") {
                let tool = Tool(
                    server: "", name: row["name"], title: row["title"], description: row["description"],
                    inputSchema: row["input_schema"], outputSchema: row["output_schema"], annotations: row["annotations"],
                    discoveredAt: row["discovered_at"])
                try db.execute(
                    sql: "UPDATE tools SET definition = ? WHERE id = ?", arguments: [tool.definition, row["id"] as Int64])
            }
        }
        migrator.registerMigration("v7-credential-hints-and-verification") { db in
            try db.execute(sql: """
                -- Personal servers: where users get their token, in the admin's words (shown on the pages).
                ALTER TABLE servers ADD COLUMN credential_hint TEXT;
                -- 0: the server could not be reached when the token was saved ("saved, not verified").
                ALTER TABLE credentials ADD COLUMN verified INTEGER NOT NULL DEFAULT 1;
                """)
        }
        migrator.registerMigration("v8-prompts-resources") { db in
            try db.execute(sql: """
                -- The upstream's capabilities object at the last refresh that recorded it.
                ALTER TABLE servers ADD COLUMN capabilities TEXT;
                -- Catalogs besides tools: each entry is the upstream's object as listed, in the upstream's order.
                CREATE TABLE prompts (
                    id INTEGER PRIMARY KEY,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    title TEXT,
                    description TEXT,
                    definition TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    discovered_at DATETIME NOT NULL,
                    UNIQUE (server_id, name)
                );
                CREATE TABLE resources (
                    id INTEGER PRIMARY KEY,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    uri TEXT NOT NULL,
                    name TEXT,
                    title TEXT,
                    mime_type TEXT,
                    definition TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    discovered_at DATETIME NOT NULL,
                    UNIQUE (server_id, uri)
                );
                CREATE TABLE resource_templates (
                    id INTEGER PRIMARY KEY,
                    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
                    uri_template TEXT NOT NULL,
                    name TEXT,
                    title TEXT,
                    mime_type TEXT,
                    definition TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    discovered_at DATETIME NOT NULL,
                    UNIQUE (server_id, uri_template)
                );
                -- A row means the prompt is enabled, under the exposed name it had then (kept while enabled).
                CREATE TABLE endpoint_prompts (
                    endpoint_id INTEGER NOT NULL,
                    server_id INTEGER NOT NULL,
                    prompt_name TEXT NOT NULL,
                    enabled_at DATETIME NOT NULL,
                    exposed_name TEXT NOT NULL,
                    PRIMARY KEY (endpoint_id, server_id, prompt_name),
                    FOREIGN KEY (endpoint_id, server_id) REFERENCES endpoint_servers(endpoint_id, server_id) ON DELETE CASCADE
                );
                CREATE UNIQUE INDEX endpoint_prompts_by_exposed_name ON endpoint_prompts(endpoint_id, exposed_name);
                -- A row opens the server's resources whose upstream URI starts with uri_prefix ('' = all of them).
                CREATE TABLE endpoint_resource_rules (
                    endpoint_id INTEGER NOT NULL,
                    server_id INTEGER NOT NULL,
                    uri_prefix TEXT NOT NULL,
                    enabled_at DATETIME NOT NULL,
                    PRIMARY KEY (endpoint_id, server_id, uri_prefix),
                    FOREIGN KEY (endpoint_id, server_id) REFERENCES endpoint_servers(endpoint_id, server_id) ON DELETE CASCADE
                );
                """)
        }
        return migrator
    }
}
