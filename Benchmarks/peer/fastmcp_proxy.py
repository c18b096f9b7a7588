"""The peer gateway: a fastmcp (==4.1.6) proxy in front of one Streamable HTTP upstream.

Usage: fastmcp_proxy.py PORT UPSTREAM   Serves http://127.0.0.1:PORT/mcp, every request proxied to UPSTREAM:
a URL, or a JSON file with an MCPConfig ({"mcpServers": {...}}) for several servers.
"""

import json
import sys

from fastmcp.server import create_proxy

if __name__ == "__main__":
    target = sys.argv[2]
    if target.endswith(".json"):
        with open(target) as config:
            target = json.load(config)
    proxy = create_proxy(target, name="fastmcp-proxy")
    proxy.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[1]), path="/mcp",
              show_banner=False, log_level="warning")
