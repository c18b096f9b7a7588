"""Prompts, resources and resource templates for the catalog tests, on a real MCP server.

`define_surface(server)` adds them to an official SDK `MCPServer` or a fastmcp `FastMCP` (the HTTP fixture,
mcp_http_fixture.py, calls it for both kinds). Run as a script, it serves them with the SDK over stdio:

    mcp_surface_fixture.py            # prompt review(code), resources file:///README.md and
                                      # counter://value, template notes://{topic}, tool echo
"""

import sys


def define_surface(server):
    @server.prompt()
    def review(code: str) -> str:
        """Asks for a review of some code."""
        return f"Please review:\n{code}"

    @server.resource("file:///README.md", name="readme", mime_type="text/markdown")
    def readme() -> str:
        """The fixture's readme."""
        return "fixture readme"

    @server.resource("counter://value", name="counter", mime_type="text/plain")
    def counter() -> str:
        """A number."""
        return "1"

    @server.resource("notes://{topic}", name="note", mime_type="text/plain")
    def note(topic: str) -> str:
        """A note on a topic."""
        return f"notes on {topic}"


def main():
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("fixture-surface")

    @server.tool()
    def echo(text: str) -> str:
        """Returns the text it was given."""
        return text

    define_surface(server)
    server.run("stdio")


if __name__ == "__main__":
    sys.exit(main())
