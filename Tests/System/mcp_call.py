"""MCP client for the system test: lists an endpoint's tools and calls one, with the
official Python SDK (Tests/EndToEnd/requirements.txt). Run inside the container's
network namespace (nsenter -n) so 127.0.0.1 is the container's loopback.

    mcp_call.py URL TOOL JSON_ARGUMENTS      # prints {"tools": [...], "result": {...}}
"""

import asyncio
import json
import sys

from mcp import Client, types


async def main(url, tool, arguments):
    client_info = types.Implementation(name="sentinel-system-test", version="1.0")
    async with Client(url, mode="legacy", read_timeout_seconds=20, client_info=client_info) as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        result = await client.call_tool(tool, arguments)
        print(json.dumps({
            "protocol_version": client.protocol_version,
            "tools": tools,
            "is_error": bool(result.is_error),
            "content": [c.text for c in result.content if c.type == "text"],
            "structured": result.structured_content,
        }))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
