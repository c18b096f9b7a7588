"""OAuth check for the system test: a client registers, the user signs in and approves over HTTP (the same
helpers as Tests/EndToEnd/oauth_flow.py), and the official Python SDK calls a tool with the access token.
Run inside the container's network namespace (nsenter -n).

    oauth_call.py BASE_URL ENDPOINT USER PASSWORD TOOL       # prints {"unauthenticated": ..., "tools": [...], ...}
    oauth_call.py --revoked BASE_URL ENDPOINT ACCESS_TOKEN    # prints the status and challenge of a revoked token
"""

import asyncio
import json
import sys
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "EndToEnd"))
from oauth_flow import Flow  # noqa: E402


async def call(base, endpoint, token, tool):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with Client(streamable_http_client(f"{base}/mcp/{endpoint}", http_client=http), mode="legacy") as client:
            tools = sorted(t.name for t in (await client.list_tools()).tools)
            result = await client.call_tool(tool, {"text": "through oauth"})
            return tools, [c.text for c in result.content if c.type == "text"]


def main(argv):
    if argv[0] == "--revoked":
        base, endpoint, token = argv[1:4]
        response = httpx2.post(f"{base}/mcp/{endpoint}", headers={"Authorization": f"Bearer {token}"},
                               json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        print(json.dumps({"status": response.status_code, "challenge": response.headers.get("www-authenticate")}))
        return
    base, endpoint, user, password, tool = argv
    bare = httpx2.post(f"{base}/mcp/{endpoint}", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    flow = Flow(base, endpoint, user, password)
    tools, content = asyncio.run(call(base, endpoint, flow.access_token, tool))
    print(json.dumps({
        "unauthenticated": {"status": bare.status_code, "challenge": bare.headers.get("www-authenticate")},
        "client_id": flow.client_id, "access_token": flow.access_token, "tools": tools, "content": content,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
